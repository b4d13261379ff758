// SPDX-License-Identifier: GPL-2.0
/* xbondmon's entry point; the CNI plugin runs the same monitor as `xbond monitor`. */
#include "xbond.h"

int main(int argc, char **argv)
{
	return xbondmon_main(argc, argv, 0);
}
