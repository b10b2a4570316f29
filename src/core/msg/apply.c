/*
 * Applying the edits of a message to its text (msg_apply_changes, msg_set_buffer): the
 * built bytes are parsed again and become what later functions see.
 */
#include <errno.h>

#include "core/mem/arena.h"
#include "core/msg/edit.h"
#include "core/parser/msg.h"

/* Parse buf[0..len) (NUL-terminated, in msg's arena) and make it msg's text. */
static int adopt(struct ksr_msg *msg, char *buf, size_t len, const char **ret_err)
{
	const char *err_dummy;
	struct ksr_msg n;
	int r;

	if (!ret_err)
		ret_err = &err_dummy;
	/* parsed aside: msg stays whole if the text is not a message */
	r = ksr_msg_parse(&n, buf, len, msg->arena, ret_err);
	if (r < 0)
		return r == -ENOMEM ? r : -EINVAL;
	if (n.type != msg->type) {
		*ret_err = msg->type == KSR_MSG_REQUEST ? "a request cannot become a reply"
							 : "a reply cannot become a request";
		return -EINVAL;
	}
	/*
	 * What ksr_msg_parse fills is the view of the text: take it all. The rest of msg is
	 * state that belongs to the message whatever its text (source, flags, AVPs, $du,
	 * the additions for replies), so it stays. A field added to the parse result must
	 * be added here.
	 */
	msg->buf = n.buf;
	msg->len = n.len;
	msg->type = n.type;
	msg->first = n.first;
	msg->headers = n.headers;
	msg->h_via1 = n.h_via1;
	msg->h_from = n.h_from;
	msg->h_to = n.h_to;
	msg->h_callid = n.h_callid;
	msg->h_cseq = n.h_cseq;
	msg->h_clen = n.h_clen;
	msg->h_maxfwd = n.h_maxfwd;
	msg->h_contact = n.h_contact;
	msg->body = n.body;
	msg->bad_version = n.bad_version;
	msg->ruri = NULL; /* the parsed Request-URI is cached on first use */
	/* the changes are in the text now */
	msg->edits = NULL;
	msg->nedits = 0;
	msg->new_uri = KSR_STR_NULL;
	msg->new_ruri = NULL;
	msg->new_body_set = false;
	msg->new_body = KSR_STR_NULL;
	return 0;
}

int ksr_msg_set_content(struct ksr_msg *msg, struct ksr_str text, const char **ret_err)
{
	char *buf = ksr_arena_alloc_nz(msg->arena, text.len + 1);

	if (!buf)
		return -ENOMEM;
	if (text.len)
		memcpy(buf, text.s, text.len);
	buf[text.len] = '\0';
	return adopt(msg, buf, text.len, ret_err);
}

int ksr_msg_apply_changes(struct ksr_msg *msg, const char **ret_err)
{
	struct ksr_str out;
	int r;

	r = ksr_msg_build(msg, &out); /* NUL-terminated, in msg's arena */
	if (r < 0)
		return r;
	return adopt(msg, out.s, out.len, ret_err);
}
