/* SPDX-License-Identifier: BSD-2-Clause */
/* <stdbool.h> for the engine, built with -nostdinc: see stddef.h here. */
#ifndef SFO_FREESTANDING_STDBOOL_H
#define SFO_FREESTANDING_STDBOOL_H

#define bool _Bool
#define true 1
#define false 0
#define __bool_true_false_are_defined 1

#endif /* SFO_FREESTANDING_STDBOOL_H */
