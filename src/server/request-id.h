/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Request ids: 16 random hex characters, in every log line about a request
 * and in its X-Request-Id response header. A client-sent id is not trusted. */
#include "request.h"

void request_id_generate(char out[HTTP_REQUEST_ID_LEN + 1]);
