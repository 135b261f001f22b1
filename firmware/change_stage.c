/* change_stage.c - changes held until the poll is complete; see include/change_stage.h. */
#include "change_stage.h"

#include <string.h>

/* Headers are copied in and out with memcpy: records are packed, so a header
 * may start at any byte. */

void change_stage_init(change_stage_t *s, void *buf, size_t cap)
{
    s->buf = (uint8_t *)buf;
    s->cap = buf == NULL ? 0 : cap;
    change_stage_clear(s);
}

void change_stage_clear(change_stage_t *s)
{
    s->used = 0;
    s->count = 0;
}

int change_stage_fits(const change_stage_t *s, size_t payload_len)
{
    return payload_len <= M2M_PAYLOAD_MAX &&
           CHANGE_STAGE_RECORD_SIZE(payload_len) <= s->cap - s->used;
}

int change_stage_push(change_stage_t *s, const change_head_t *head, const char *payload)
{
    uint8_t *at;

    if (!change_stage_fits(s, head->payload_len)) {
        return -1;
    }
    at = s->buf + s->used;
    memcpy(at, head, sizeof *head);
    memcpy(at + sizeof *head, payload, head->payload_len);
    at[sizeof *head + head->payload_len] = '\0';
    s->used += CHANGE_STAGE_RECORD_SIZE(head->payload_len);
    s->count++;
    return 0;
}

int change_stage_next(change_stage_t *s, size_t *pos, change_head_t *head, char **payload)
{
    if (*pos >= s->used) {
        return 0;
    }
    memcpy(head, s->buf + *pos, sizeof *head);
    *payload = (char *)(s->buf + *pos + sizeof *head);
    *pos += CHANGE_STAGE_RECORD_SIZE(head->payload_len);
    return 1;
}
