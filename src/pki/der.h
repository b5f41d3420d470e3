/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * A tiny DER writer, internal to src/pki. GnuTLS cannot put entry extensions
 * (reasonCode) into a CRL, so crl.c builds the TBSCertList itself; this is
 * just enough DER for that: definite lengths, primitive and constructed TLVs.
 */
#include <stddef.h>
#include <stdint.h>
#include "core/error.h"
#include "core/cleanup.h"
#include "core/strutil.h"

#define DER_INTEGER 0x02
#define DER_BIT_STRING 0x03
#define DER_OCTET_STRING 0x04
#define DER_NULL 0x05
#define DER_OID 0x06
#define DER_ENUMERATED 0x0a
#define DER_UTC_TIME 0x17
#define DER_GENERALIZED_TIME 0x18
#define DER_SEQUENCE 0x30
#define DER_CONTEXT_CONS(n) (0xa0 | (n))
#define DER_CONTEXT_PRIM(n) (0x80 | (n))

/* Appends tag, length and content. */
void der_tlv(struct buf *out, uint8_t tag, const void *content, size_t len);
/* Appends a TLV whose content is `inner` (inner is freed and reset). */
void der_wrap(struct buf *out, uint8_t tag, struct buf *inner);
/* INTEGER from an unsigned value (minimal, positive). */
void der_uint(struct buf *out, uint64_t v);
/* INTEGER from raw content bytes as found in a certificate (already DER content). */
void der_integer_raw(struct buf *out, const uint8_t *content, size_t len);
/* OBJECT IDENTIFIER from dotted text ("1.2.840.10045.4.3.2"). */
int der_oid(struct buf *out, const char *dotted, struct error *err);
/* UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
int der_time(struct buf *out, int64_t t, struct error *err);
