/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The fleet directory: DIR/<serial>/key.pem (0600) and cert.pem for each
 * enrolled device, and DIR/product (the EST label, the product model).
 */
#include <stddef.h>

#include "core/error.h"

#define FLEETSIM_SERIAL_MAX 64

/* DIR/<serial>/<file> (heap). */
char *fleetsim_device_path(const char *dir, const char *serial, const char *file);
/* The serials in DIR that have both cert.pem and key.pem, in byte order. */
int fleetsim_devices_list(const char *dir, char ***serials, size_t *n, struct error *err);
void fleetsim_devices_free(char **serials, size_t n);
/* The product recorded by enroll (DIR/product), heap; NULL with err when absent. */
char *fleetsim_product_read(const char *dir, struct error *err);
