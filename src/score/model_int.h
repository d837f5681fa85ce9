/*
 * model_int.h - what model.c shares with model_text.c, and nothing else.
 */
#ifndef CR_MODEL_INT_H
#define CR_MODEL_INT_H

#include "model.h"

/* Non-zero for a character of a model id or a meta key: [A-Za-z0-9._-]. */
int cr_model__word_char(char c);

/* The checks of one feature that cr_model_finish makes, and its best
 * points and level order; the parser runs them when a feature's lines end,
 * so that an error names that feature's line. */
int cr_model__check_feature(struct cr_model_feature *f, struct cr_diag *d);

#endif
