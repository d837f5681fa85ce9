/*
 * prohibited.h - information a credit bureau may not collect (DESIGN.md
 * rule 6; regulation on credit reporting, art. 14).
 *
 * Religion, ethnicity, health and medical history, genes, fingerprints and
 * other biometrics, blood type and political affiliation are refused at the
 * door, in two forms:
 *
 *   - as a field: a record key that names one of the categories, such as
 *     "blood_type" or "民族".  Keys are compared ignoring ASCII case and the
 *     separators '_', '-' and ' ', so "BloodType", "blood-type" and
 *     "blood_type" are the same key;
 *   - as a free-text marker: a label such as "religion:" or "血型" that a
 *     furnisher's system leaked into a name, an address or consent evidence.
 *
 * The lists, and why each free-text marker is safe for real names and
 * addresses, are in docs/FORMAT.md ("Information a bureau may not collect").
 * Parsers call these functions only off their hot path: the key check runs
 * on keys that are not fields of the record type, and the text check on the
 * few free-text fields, which statements do not have.
 */
#ifndef CR_PROHIBITED_H
#define CR_PROHIBITED_H

#include <stddef.h>

enum cr_prohibited_category {
	CR_PROHIB_NONE = 0,
	CR_PROHIB_RELIGION = 1,
	CR_PROHIB_ETHNICITY = 2,
	CR_PROHIB_HEALTH = 3,
	CR_PROHIB_GENETIC = 4,
	CR_PROHIB_BIOMETRIC = 5,
	CR_PROHIB_BLOOD_TYPE = 6,
	CR_PROHIB_POLITICAL = 7,
};

/* One listed key or marker. */
struct cr_prohibited_term {
	const char *text;  /* UTF-8, lower case; ' ' in a marker: see below */
	unsigned category; /* enum cr_prohibited_category */
	unsigned labelled; /* markers: counts only as a label, before ':' or '=' */
};

/*
 * Returns the category that the key k[0..n) names, or CR_PROHIB_NONE.  The
 * key is the decoded JSON key; it need not be NUL-terminated.
 */
unsigned cr_prohibited_key(const char *k, size_t n);

/*
 * Returns the category of the first marker found in the free text s[0..n),
 * or CR_PROHIB_NONE.  Markers match ASCII case-insensitively as substrings,
 * with these refinements:
 *   - a ' ' in a marker matches any run of ' ', '_' and '-', or none;
 *   - a marker that starts with an ASCII letter must not follow one (or a
 *     digit), so "race:" is not found in "Terrace:"; one that is not a label
 *     must not be followed by one either ("HIV" is not found in "Archive");
 *   - a labelled marker counts only when spaces and then ':', '=' or their
 *     full-width forms '：' and '＝' follow it, so "民族:" is found but the
 *     street "民族路" is not.
 */
unsigned cr_prohibited_text(const char *s, size_t n);

/* The listed keys and markers, for documentation and tests.  Each returns a
 * static array and sets *n to its length. */
const struct cr_prohibited_term *cr_prohibited_keys(size_t *n /* OUT */);
const struct cr_prohibited_term *cr_prohibited_markers(size_t *n /* OUT */);

/* "religion", "ethnicity", ... for a category; "?" when out of range. */
const char *cr_prohibited_category_name(unsigned category);

#endif
