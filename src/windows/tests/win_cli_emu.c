// SPDX-License-Identifier: BSD-2-Clause
/*
 * sriov-failover.exe's command line natively, on the driver loaded on the
 * NDIS emulation with a standby and its VF (the engine pairs them, 1.5 s
 * pass on the emulation's clock): "win_cli_emu status -j" prints what the
 * exe would. For check_win_cli_json.py, which checks its JSON against the
 * Linux CLI's schema. Exit status: the CLI's, or 70 if the emulation saw an
 * NDIS or IRP rule broken.
 */
#include <stdio.h>

#include "cli.h"
#include "emu.h"
#include "transport_inproc.h"

int main(int argc, char **argv)
{
	static const UCHAR mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct emu_adapter *sby, *vf;
	int code;

	if (emu_load_driver() != STATUS_SUCCESS) {
		fprintf(stderr, "win_cli_emu: DriverEntry failed\n");
		return 70;
	}
	sby = emu_adapter_new("virtio0", mac, EMU_STANDBY);
	emu_filter_attach(sby);
	vf = emu_adapter_new("vf0", mac, EMU_VF);
	emu_offer(vf);
	emu_stack_send(sby, 4);
	emu_advance_ms(1500);
	inproc.admin = true;
	code = sfo_cli_main(argc, argv, stdout, stderr);
	fflush(stdout);
	if (emu_bound(vf))
		emu_unplug(vf, FALSE);
	if (emu_filter_pause(sby) == NDIS_STATUS_SUCCESS)
		emu_filter_detach(sby);
	emu_unload_driver();
	emu_adapter_free(sby);
	emu_adapter_free(vf);
	if (emu_violations()) {
		fprintf(stderr, "win_cli_emu: %d NDIS or IRP rule(s) broken\n", emu_violations());
		return 70;
	}
	return code;
}
