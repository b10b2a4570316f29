/* Hard limits on received messages: going over one is a parse error, never a truncation. */
#ifndef KSR_CORE_PARSER_LIMITS_H
#define KSR_CORE_PARSER_LIMITS_H

#define KSR_MSG_MAX_SIZE 65535 /* largest message accepted, in bytes (UDP max) */
#define KSR_MSG_MAX_HEADERS 256 /* header lines per message */
#define KSR_MSG_MAX_VIA 64 /* Via header values per message */
#define KSR_URI_MAX_LEN 4096 /* bytes in one URI */
#define KSR_MSG_MAX_BODY_PARTS 32 /* parts of a multipart body */

#endif
