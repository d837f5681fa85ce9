# bench/scorecard_public.R - the public credit data sets of the scorecard
# comparison (bench/scorecard_public.sh), and plain logistic regression on
# them as the peer.
#
#   Rscript bench/scorecard_public.R export DIR [SEED]
#     writes DIR/credit_data.csv (modeldata::credit_data, 4,454 loans) and
#     DIR/german.csv (caret::GermanCredit, 1,000 loans), each with bad (1:
#     bad) and split (30% test, drawn with set.seed(SEED), 2026 by
#     default: the split docs/scoring.md reports).  Columns that
#     describe the person rather than their credit (age, sex and marital
#     status, foreign worker) are left out of both, as the bureau leaves
#     them out of its own features.
#   Rscript bench/scorecard_public.R glm FILE.csv [SCORES.csv]
#     fits glm(bad ~ ., binomial) on the training rows (a numeric NA becomes
#     the training median plus a missing flag, a categorical NA a level of
#     its own) and prints the held-out AUC; with SCORES.csv (creditref
#     scorecard apply's output for the same file), also the AUC of its pd
#     on the same rows, as R computes it.

auc <- function(risk, bad) {
  r <- rank(risk)
  nb <- sum(bad == 1)
  ng <- sum(bad == 0)
  (sum(r[bad == 1]) - nb * (nb + 1) / 2) / (nb * ng)
}

split_seed <- 2026

split_of <- function(n) {
  set.seed(split_seed)
  ifelse(runif(n) < 0.3, "test", "train")
}

export_credit_data <- function(dir) {
  data(credit_data, package = "modeldata", envir = environment())
  d <- credit_data
  d$bad <- as.integer(d$Status == "bad")
  d$Status <- NULL
  d$Age <- NULL
  d$Marital <- NULL
  d$split <- split_of(nrow(d))
  write.csv(d, file.path(dir, "credit_data.csv"), row.names = FALSE, na = "NA")
}

# caret's GermanCredit has one 0/1 column per level; each group becomes one
# categorical column again (the level whose column is 1, else "other").
export_german <- function(dir) {
  data(GermanCredit, package = "caret", envir = environment())
  g <- GermanCredit
  out <- data.frame(bad = as.integer(g$Class == "Bad"))
  for (v in c("Duration", "Amount", "InstallmentRatePercentage", "ResidenceDuration",
              "NumberExistingCredits", "NumberPeopleMaintenance", "Telephone"))
    out[[v]] <- g[[v]]
  groups <- c("CheckingAccountStatus", "CreditHistory", "Purpose", "SavingsAccountBonds",
              "EmploymentDuration", "OtherDebtorsGuarantors", "Property",
              "OtherInstallmentPlans", "Housing", "Job")
  for (p in groups) {
    cols <- grep(paste0("^", p, "\\."), names(g), value = TRUE)
    lv <- rep("other", nrow(g))
    for (cl in cols) lv[g[[cl]] == 1] <- sub(paste0("^", p, "\\."), "", cl)
    out[[p]] <- lv
  }
  out$split <- split_of(nrow(out))
  write.csv(out, file.path(dir, "german.csv"), row.names = FALSE, na = "NA")
}

prepare <- function(d, train) {
  for (v in setdiff(names(d), c("bad", "split"))) {
    x <- d[[v]]
    if (is.numeric(x)) {
      if (any(is.na(x))) {
        d[[paste0(v, "_missing")]] <- as.integer(is.na(x))
        x[is.na(x)] <- median(x[train], na.rm = TRUE)
      }
      d[[v]] <- x
    } else {
      x <- as.character(x)
      x[is.na(x)] <- "missing"
      seen <- unique(x[train])
      x[!(x %in% seen)] <- names(sort(table(x[train]), decreasing = TRUE))[1]
      d[[v]] <- factor(x)
    }
  }
  d
}

glm_auc <- function(file, scores) {
  d <- read.csv(file, na.strings = "NA", stringsAsFactors = FALSE)
  train <- d$split != "test"
  d <- prepare(d, train)
  f <- glm(bad ~ ., family = binomial, data = d[train, setdiff(names(d), "split")])
  p <- predict(f, newdata = d[!train, ], type = "response")
  cat(sprintf("glm_auc_test=%.4f glm_auc_train=%.4f glm_iterations=%d\n",
              auc(p, d$bad[!train]), auc(fitted(f), d$bad[train]), f$iter))
  if (!is.null(scores)) {
    s <- read.csv(scores)
    cat(sprintf("creditref_auc_test_by_r=%.4f\n", auc(s$pd[!train], d$bad[!train])))
  }
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) >= 2 && args[1] == "export") {
  if (length(args) >= 3) split_seed <- as.integer(args[3])
  export_credit_data(args[2])
  export_german(args[2])
} else if (length(args) >= 2 && args[1] == "glm") {
  glm_auc(args[2], if (length(args) >= 3) args[3] else NULL)
} else {
  stop("usage: scorecard_public.R export DIR [SEED] | glm FILE.csv [SCORES.csv]")
}
