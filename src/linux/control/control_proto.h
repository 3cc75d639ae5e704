// SPDX-License-Identifier: BSD-2-Clause
/*
 * The control socket's protocol limits, shared by sriov-failoverd (which
 * refuses requests beyond them) and sriov-failover (which checks them before
 * sending). A request is one line: words separated by spaces, a newline.
 */
#ifndef SFO_CONTROL_PROTO_H
#define SFO_CONTROL_PROTO_H

#define SFO_CTL_DEFAULT_SOCKET "/run/sriov-failover/control.sock"
#define SFO_CTL_MAX_REQUEST    512 /* bytes before the newline */
#define SFO_CTL_MAX_WORDS      8   /* words in a request */

#endif
