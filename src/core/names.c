// SPDX-License-Identifier: BSD-2-Clause
/* Printable names of the core's enums. */
#include "core.h"

const char *sfo_pair_state_name(enum sfo_pair_state s)
{
	static const char *const names[SFO_PAIR_STATE_MAX] = {
		[SFO_PAIR_NO_VF] = "no-vf",	  [SFO_PAIR_BINDING] = "binding",
		[SFO_PAIR_ACTIVE] = "active",	  [SFO_PAIR_FALLBACK] = "fallback",
		[SFO_PAIR_DRAINING] = "draining", [SFO_PAIR_UNUSABLE] = "unusable",
		[SFO_PAIR_PROBING] = "probing",
	};
	return (unsigned int)s < SFO_PAIR_STATE_MAX ? names[s] : "?";
}

const char *sfo_role_name(enum sfo_role r)
{
	static const char *const names[SFO_ROLE_MAX] = {
		[SFO_ROLE_UNMANAGED] = "unmanaged",
		[SFO_ROLE_STANDBY] = "standby",
		[SFO_ROLE_VF] = "vf",
		[SFO_ROLE_SPARE] = "spare",
		[SFO_ROLE_CANDIDATE] = "candidate",
		[SFO_ROLE_HELD] = "held",
	};
	return (unsigned int)r < SFO_ROLE_MAX ? names[r] : "?";
}

const char *sfo_counter_name(enum sfo_counter c)
{
	static const char *const names[SFO_CTR_MAX] = {
		[SFO_CTR_RX_PACKETS] = "rx_packets", [SFO_CTR_TX_PACKETS] = "tx_packets",
		[SFO_CTR_RX_BYTES] = "rx_bytes",     [SFO_CTR_TX_BYTES] = "tx_bytes",
		[SFO_CTR_RX_ERRORS] = "rx_errors",   [SFO_CTR_TX_ERRORS] = "tx_errors",
		[SFO_CTR_RX_DROPPED] = "rx_dropped", [SFO_CTR_TX_DROPPED] = "tx_dropped",
		[SFO_CTR_MULTICAST] = "multicast",   [SFO_CTR_COLLISIONS] = "collisions",
	};
	return (unsigned int)c < SFO_CTR_MAX ? names[c] : "?";
}
