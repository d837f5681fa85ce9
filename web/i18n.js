// i18n.js - the console's two languages, Chinese (zh-CN) and English, and
// dates, money (CNY, from integer fen) and numbers formatted for the locale.
// The language follows the browser's until the user picks one.

const STRINGS = {
  "en": {
    act_report: "credit report", act_score: "score", act_furnish: "data furnished",
    act_consent_grant: "consent granted", act_consent_revoke: "consent revoked", act_consent_list: "consents listed",
    act_dispute_list: "disputes listed", act_access_list: "access history read", act_dispute_file: "dispute filed",
    act_dispute_verify: "dispute answered: stands", act_dispute_correct: "dispute answered: corrected",
    act_alert_delivery: "alert sent to a lender", act_webhook_delivery: "alert pushed to a lender",
    act_key_add: "API key issued", act_key_revoke: "API key revoked", act_audit_show: "audit entries looked up by an operator",
    act_purge: "old adverse data purged", act_shelf_query: "product shelf read",
    tab_products: "Products", held_products: "Products you hold", offered_products: "Products offered to you",
    product_name: "Product", category: "Category", issuer: "Issuer", licence: "Licence", since: "Since",
    delisted: "delisted (you keep it)",
    cat_internet_deposit: "internet deposit", cat_wealth: "wealth management", cat_loan: "loan", cat_insurance: "insurance",
    due: "Due", paid: "Paid", correct: "Correct the month", verify_stands: "It stands",
    bad_amount: "{0}: an amount in yuan, at most two decimals",
    disputes_help: "Disputes about your institution's accounts. Answer each within 20 days: it stands, or correct the disputed month with the statement it should have had.",
    out_granted: "granted", out_refused: "refused", out_not_found: "not found", out_failed: "failed",
    accounts_h: "Accounts",
    purpose_loan_approval: "loan approval", purpose_card_approval: "card approval", purpose_post_loan: "post-loan management",
    purpose_guarantee: "guarantee review", purpose_self: "own enquiry",
    scope_furnish: "furnishing", scope_query: "querying",
    acct_open: "open", acct_closed: "closed",
    ds_open: "open", ds_verified: "verified (stands)", ds_corrected: "corrected",
    title: "creditref console", language: "Language", signout: "Sign out",
    signin_title: "Sign in with your API key",
    signin_help: "Paste the key you were given (crk_…). It is kept in this tab only and forgotten when you sign out or close the tab.",
    signin: "Sign in", key: "API key", bad_key: "This key was not accepted: {0}",
    role_furnisher: "Furnisher", role_lender: "Lender", role_subject: "Person",
    role_supervisor: "Supervisor", role_operator: "Operator",
    loading: "Loading…", error: "Error: {0}", as_of: "As of {0}", none: "None",
    // report
    tab_report: "My report", tab_consents: "Consents", tab_access: "Who looked",
    tab_disputes: "Disputes", print: "Print / save as PDF",
    report_for: "Credit report", name: "Name", id: "ID number", birth: "Date of birth",
    purpose: "Purpose", requested_by: "Requested by",
    summary: "Summary", accounts: "Accounts", total_limit: "Total credit limit",
    total_balance: "Total balance", total_overdue: "Total overdue",
    lenders_with_balance: "Lenders with a balance", worst_24m: "Worst status, 24 months",
    ever_overdue: "Accounts ever overdue",
    score: "Score", pd: "Probability of default", model: "Model", reasons: "Reasons",
    no_score: "No score.",
    institution: "Institution", account: "Account", product: "Product", status: "Status",
    opened: "Opened", balance: "Balance", overdue: "Overdue", dpd: "Days past due",
    grid: "Repayment, 60 months (oldest first)", held: "held (no furnish consent)",
    legend: "Legend", inquiries: "Inquiries", date: "Date", time: "Time",
    disputes_on_file: "Disputes", no_accounts: "No accounts.",
    st_N: "paid on time", st_1: "1–30 days overdue", st_2: "31–60 days", st_3: "61–90 days",
    st_4: "91–120 days", st_5: "121–150 days", st_6: "151–180 days", st_7: "180+ days",
    st_C: "closed", st_G: "ended otherwise", st_D: "paid by guarantor",
    st_Z: "repaid by asset disposal", st_star: "nothing due", st_hash: "unknown",
    st_slash: "not open yet",
    prod_revolving: "revolving", prod_installment: "instalment", prod_credit_card: "credit card",
    prod_mortgage: "mortgage",
    // consents
    scope: "Scope", granted: "Granted", expires: "Expires", revoked: "Revoked",
    revoke: "Revoke", revoke_confirm: "To revoke {0}'s {1} consent, type your ID number:",
    revoked_ok: "Revoked.", live: "in force", ended: "ended",
    consents_help: "Every authorization you gave or withdrew, oldest first. Revoking one in force stops that institution from querying (or furnishing) from today.",
    // access
    role: "Role", action: "Action", outcome: "Outcome",
    // disputes
    dispute: "Dispute", file_dispute: "File a dispute", month_optional: "Month (optional, YYYY-MM)",
    reason: "Reason", filed: "Filed", deadline: "Answer due", resolved: "Resolved",
    dispute_filed: "Dispute {0} filed; the lender must answer within {1} days.",
    submit: "Submit", cancel: "Cancel",
    // institution
    tab_ask: "Credit report", tab_alerts: "Alerts", tab_webhook: "Webhook",
    tab_upload: "Furnish a file", ask: "Ask for the report", refused: "Refused: {0}",
    kind: "Kind", subject: "Person", at: "At", raised: "Raised", all_kinds: "All kinds",
    more: "Load more", webhook_url: "Webhook URL", save: "Save", remove: "Remove",
    no_webhook: "No webhook registered.", secret_once: "Signing secret (shown once): {0}",
    cursor: "Cursor", backlog: "Backlog", failures: "Failures", last_attempt: "Last attempt",
    upload_help: "Choose a JSON Lines file (docs/FORMAT.md) of your institution's records.",
    upload: "Upload", submitted: "Submitted", accepted: "Accepted", rejected: "Rejected",
    unchanged: "Unchanged", line: "Line", field: "Field",
    // supervisor
    tab_market: "Market", tab_quality: "Data quality", tab_colending: "Co-lending",
    people: "People", institutions: "Institutions", account_months: "Account-months",
    held_records: "Held records", store_bytes: "Store size",
    delinquency_trend: "Accounts past due, share by month", multi_lending: "Borrowers by number of lenders with a balance",
    lenders: "Lenders", borrowers: "Borrowers", outstanding: "Outstanding",
    coverage: "Consent coverage", lag: "Reporting lag p50 / p99", gaps: "Accounts with gaps",
    platform: "Platform", own_share: "Own share", below_floor: "Below floor", month: "Month",
    quality_chart: "Records by outcome per furnisher", yes: "yes", no: "no",
    all_suppressed: "every cell under {0}: suppressed",
    building_months: "Building the months the server does not keep yet: one pass over the whole market, about a minute for a million people the first time.", plus_suppressed: "(+{0} cells suppressed)",
    // operator
    tab_keys: "API keys", tab_audit: "Audit", tab_health: "Store health",
    key_id: "Key", created: "Created", add_key: "Add a key", new_key_once: "New key (shown once, copy it now): {0}",
    person_id: "Person's ID (subject keys)", this_key: "this key", verify: "Verify the audit trail",
    intact: "Intact", entries: "Entries", head: "Head", metric: "Measure", value: "Value",
  },
  "zh-CN": {
    act_report: "信用报告", act_score: "信用评分", act_furnish: "数据报送",
    act_consent_grant: "授权", act_consent_revoke: "撤销授权", act_consent_list: "查看授权",
    act_dispute_list: "查看异议", act_access_list: "查看查询记录", act_dispute_file: "提出异议",
    act_dispute_verify: "异议答复：维持", act_dispute_correct: "异议答复：更正",
    act_alert_delivery: "向放贷机构发送预警", act_webhook_delivery: "向放贷机构推送预警",
    act_key_add: "签发 API 密钥", act_key_revoke: "撤销 API 密钥", act_audit_show: "运维查看审计记录",
    act_purge: "清除过期负面信息", act_shelf_query: "查看产品货架",
    tab_products: "金融产品", held_products: "您持有的产品", offered_products: "向您展示的产品",
    product_name: "产品", category: "类别", issuer: "发行机构", licence: "牌照", since: "持有自",
    delisted: "已下架（您可继续持有）",
    cat_internet_deposit: "互联网存款", cat_wealth: "理财", cat_loan: "贷款", cat_insurance: "保险",
    due: "应还", paid: "实还", correct: "更正该月", verify_stands: "核实无误",
    bad_amount: "{0}：以元为单位的金额，最多两位小数",
    disputes_help: "针对本机构账户的异议。请在 20 天内答复：核实无误，或以应有的月度记录更正该月。",
    out_granted: "允许", out_refused: "拒绝", out_not_found: "未找到", out_failed: "失败",
    accounts_h: "账户",
    purpose_loan_approval: "贷款审批", purpose_card_approval: "信用卡审批", purpose_post_loan: "贷后管理",
    purpose_guarantee: "担保资格审查", purpose_self: "本人查询",
    scope_furnish: "报送", scope_query: "查询",
    acct_open: "未结清", acct_closed: "已结清",
    ds_open: "处理中", ds_verified: "已核实（维持）", ds_corrected: "已更正",
    reason_months_since_delinquency: "最近有逾期还款", reason_delinquent_months_24m: "多个月份有逾期还款",
    reason_worst_status_24m: "近24个月有逾期还款", reason_worst_status_6m: "近6个月有逾期还款",
    reason_ontime_share_24m: "分期未能全部按时还款", reason_open_accounts: "未结清账户较多",
    reason_balance_to_limit: "余额占授信额度的比例较高", reason_accounts_opened_6m: "近期新开账户较多",
    title: "征信系统控制台", language: "语言", signout: "退出",
    signin_title: "使用 API 密钥登录",
    signin_help: "粘贴您获得的密钥（crk_…）。密钥只保存在本标签页中，退出或关闭标签页后即被清除。",
    signin: "登录", key: "API 密钥", bad_key: "密钥未被接受：{0}",
    role_furnisher: "数据报送机构", role_lender: "放贷机构", role_subject: "个人",
    role_supervisor: "监管", role_operator: "运维",
    loading: "加载中…", error: "错误：{0}", as_of: "数据日期 {0}", none: "无",
    tab_report: "我的报告", tab_consents: "授权", tab_access: "查询记录",
    tab_disputes: "异议", print: "打印 / 存为 PDF",
    report_for: "个人信用报告", name: "姓名", id: "证件号码", birth: "出生日期",
    purpose: "查询原因", requested_by: "查询机构",
    summary: "概要", accounts: "账户数", total_limit: "授信总额",
    total_balance: "余额合计", total_overdue: "逾期合计",
    lenders_with_balance: "有余额的机构数", worst_24m: "近24个月最差状态",
    ever_overdue: "曾逾期账户数",
    score: "评分", pd: "违约概率", model: "模型", reasons: "主要原因",
    no_score: "无评分。",
    institution: "机构", account: "账户", product: "业务种类", status: "状态",
    opened: "开立日期", balance: "余额", overdue: "逾期金额", dpd: "逾期天数",
    grid: "近60个月还款记录（由远及近）", held: "暂存（无报送授权）",
    legend: "图例", inquiries: "查询记录", date: "日期", time: "时间",
    disputes_on_file: "异议", no_accounts: "无账户。",
    st_N: "正常还款", st_1: "逾期1–30天", st_2: "逾期31–60天", st_3: "逾期61–90天",
    st_4: "逾期91–120天", st_5: "逾期121–150天", st_6: "逾期151–180天", st_7: "逾期180天以上",
    st_C: "结清", st_G: "其他方式终止", st_D: "担保人代还",
    st_Z: "以资抵债", st_star: "无需还款", st_hash: "未知",
    st_slash: "尚未开立",
    prod_revolving: "循环贷", prod_installment: "分期贷款", prod_credit_card: "信用卡",
    prod_mortgage: "住房贷款",
    scope: "范围", granted: "授权日期", expires: "到期日期", revoked: "撤销日期",
    revoke: "撤销", revoke_confirm: "撤销对 {0} 的{1}授权，请输入您的证件号码：",
    revoked_ok: "已撤销。", live: "有效", ended: "已失效",
    consents_help: "您作出或撤回的全部授权，按时间先后排列。撤销一项有效授权后，该机构自今日起不能再查询（或报送）。",
    role: "角色", action: "操作", outcome: "结果",
    dispute: "异议", file_dispute: "提出异议", month_optional: "月份（可选，YYYY-MM）",
    reason: "理由", filed: "提出日期", deadline: "答复期限", resolved: "处理日期",
    dispute_filed: "异议 {0} 已提交；机构须在 {1} 天内答复。",
    submit: "提交", cancel: "取消",
    tab_ask: "信用报告", tab_alerts: "预警", tab_webhook: "Webhook",
    tab_upload: "报送文件", ask: "查询报告", refused: "被拒绝：{0}",
    kind: "类型", subject: "个人", at: "发生时间", raised: "产生时间", all_kinds: "全部类型",
    more: "加载更多", webhook_url: "Webhook 地址", save: "保存", remove: "删除",
    no_webhook: "未登记 Webhook。", secret_once: "签名密钥（仅显示一次）：{0}",
    cursor: "游标", backlog: "待推送", failures: "失败次数", last_attempt: "最近推送",
    upload_help: "选择本机构记录的 JSON Lines 文件（docs/FORMAT.md）。",
    upload: "上传", submitted: "提交", accepted: "接受", rejected: "拒绝",
    unchanged: "未变", line: "行", field: "字段",
    tab_market: "市场", tab_quality: "数据质量", tab_colending: "联合贷款",
    people: "人数", institutions: "机构数", account_months: "账户月数",
    held_records: "暂存记录", store_bytes: "存储大小",
    delinquency_trend: "逾期账户占比（按月）", multi_lending: "按有余额机构数划分的借款人",
    lenders: "机构数", borrowers: "借款人", outstanding: "余额",
    coverage: "授权覆盖率", lag: "报送时滞 p50 / p99", gaps: "有缺失月份的账户",
    platform: "平台", own_share: "自有出资比例", below_floor: "低于下限", month: "月份",
    quality_chart: "各报送机构记录处理结果", yes: "是", no: "否",
    all_suppressed: "各单元均少于 {0}：不予显示",
    building_months: "正在生成服务器尚未保存的月份：需遍历整个市场一次，百万人规模首次约需一分钟。", plus_suppressed: "（另有 {0} 个单元不予显示）",
    tab_keys: "API 密钥", tab_audit: "审计", tab_health: "存储状态",
    key_id: "密钥", created: "创建时间", add_key: "新增密钥", new_key_once: "新密钥（仅显示一次，请立即复制）：{0}",
    person_id: "个人证件号码（个人密钥）", this_key: "当前密钥", verify: "校验审计链",
    intact: "完整", entries: "条目数", head: "最新序号", metric: "指标", value: "数值",
  },
};

const PICK = "creditref.lang";
// The browser's first language the console has (Chinese or English); English
// when it has neither.
function browserLanguage() {
  const first = (navigator.languages || [navigator.language || "en"]).find((l) => /^(zh|en)\b/i.test(l));
  return first && /^zh/i.test(first) ? "zh-CN" : "en";
}
let lang = sessionStorage.getItem(PICK) || browserLanguage();

export function language() { return lang; }
export function setLanguage(l) {
  lang = STRINGS[l] ? l : "en";
  sessionStorage.setItem(PICK, lang);
  document.documentElement.lang = lang;
}

// t("dispute_filed", 3, 20): the string in the current language, {n} filled.
export function t(k, ...args) {
  const s = (STRINGS[lang] && STRINGS[lang][k]) || STRINGS.en[k] || k;
  return s.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)]));
}

// A code the API returns ("loan_approval", "open", ...) in the current
// language: the string kind_code, or the code itself when there is none
// (an English reason for a scorecard's own code, say: fallback).
export function term(kind, code, fallback) {
  const k = kind + "_" + code;
  const s = (STRINGS[lang] && STRINGS[lang][k]) || (kind !== "reason" && STRINGS.en[k]);
  return s || fallback || code;
}

// Formatters are costly to make (a report draws thousands of cells): one of
// each per language, made on first use.
const cache = new Map();
function fmt(kind, make) {
  const k = lang + "|" + kind;
  if (!cache.has(k)) cache.set(k, make());
  return cache.get(k);
}

// Integer fen to the locale's CNY, e.g. "¥78,234.80".
export function money(fen) {
  if (fen === null || fen === undefined) return "—";
  return fmt("cny", () => new Intl.NumberFormat(lang, {style: "currency", currency: "CNY"})).format(fen / 100);
}

export function num(n, digits) {
  if (n === null || n === undefined) return "—";
  const d = digits === undefined ? 0 : digits;
  return fmt("num" + d, () => new Intl.NumberFormat(lang, {maximumFractionDigits: d})).format(n);
}

export function pct(x, digits) {
  if (x === null || x === undefined) return "—";
  const d = digits === undefined ? 1 : digits;
  return fmt("pct" + d, () => new Intl.NumberFormat(lang, {style: "percent", maximumFractionDigits: d})).format(x);
}

// "2026-06-30" -> the locale's date; an RFC 3339 time -> date and time.
export function date(s) {
  if (!s) return "—";
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) return fmt("day", () => new Intl.DateTimeFormat(lang, {dateStyle: "medium", timeZone: "UTC"}))
    .format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])));
  const d = new Date(s);
  if (isNaN(d)) return s;
  return fmt("time", () => new Intl.DateTimeFormat(lang, {dateStyle: "medium", timeStyle: "short"})).format(d);
}

export function month(s) {
  const m = /^(\d{4})-(\d{2})$/.exec(s || "");
  if (!m) return s || "—";
  return fmt("month", () => new Intl.DateTimeFormat(lang, {year: "numeric", month: "short", timeZone: "UTC"}))
    .format(new Date(Date.UTC(+m[1], +m[2] - 1, 1)));
}

setLanguage(lang);
