/* The records of a VCF/BCF stream for gdl encode, read ahead in slots of about 1 MB: for VCF
 * text, runs of whole lines (through BGZF for gzip and BGZF, through hFILE for plain text);
 * for BCF, batches of records (bcf_read). With a thread, a reader fills the next slots
 * (decompressing) while the caller parses the current one: one hand-over per slot, where
 * htslib's own threads hand over every 64 KB block. Without, the caller fills each slot when
 * it needs it. The records and their order are the same either way.
 *
 * VCF lines are found with memchr and handed out in place: htslib 1.16's hts_getline looks
 * for each line's end one byte at a time and copies each line out. Same lines as
 * hts_getline: "\n" and a "\r" before it removed, a last line without "\n" kept. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <htslib/bgzf.h>
#include <htslib/hfile.h>

#include "gdl/core.h"
#include "vcf_internal.h"

enum {
    SLOTS = 4,          // slots in the ring: the caller's, and up to 3 read ahead
    CHUNK = 1 << 20,    // bytes read at a time
    MAX_BATCH = 1024,   // BCF records in a slot, at most
};

typedef struct {
    char *buf;          // VCF: whole lines buf[0, len); buf[len] is free for a NUL
    size_t cap, len;
    bcf1_t **rec;       // BCF: rec[0, n_rec)
    int n_rec;
    int status;         // 1 more slots follow, 0 the end of the stream, -1 read error
    int partial;        // with -1: the error cut a line short
} slot_t;

struct vcf_ahead_t {
    htsFile *fp;
    bcf_hdr_t *hdr;
    int is_bcf, threaded;
    int sync_ready;     // lock and conditions initialised
    slot_t slot[SLOTS];
    // the ring: slots filled = produced, of which the caller finished released; the caller
    // reads slot released % SLOTS, the reader fills slot produced % SLOTS
    int64_t produced, released;
    int stop;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t filled, freed;
    // the reader's: the start of a line cut at the end of the last slot
    char *carry;
    size_t carry_len, carry_cap;
    // the caller's place in slot released % SLOTS
    size_t pos;
    int next_rec;
};

/* ---- filling a slot (the reader) -------------------------------------------------------- */

/* Up to n bytes of the stream into p: the count, 0 at the end, -1 on error. Through BGZF, no
 * more than the rest of the current block: bgzf_read drops what it had read when a later
 * block fails, and the lines before a corrupt block are to be read. */
static ssize_t read_stream(htsFile *fp, char *p, size_t n)
{
    if (fp->format.compression == no_compression) return hread(fp->fp.hfile, p, n);
    BGZF *z = fp->fp.bgzf;
    if (z->block_offset >= z->block_length) {
        if (bgzf_read_block(z) != 0) return -1;
        if (z->block_length == 0) return 0;
    }
    size_t left = (size_t)(z->block_length - z->block_offset);
    return bgzf_read(z, p, n < left ? n : left);
}

/* Room for need more bytes after len in the slot, plus a NUL. 0 or -1. */
static int slot_room(slot_t *t, size_t need)
{
    if (t->cap - t->len > need) return 0;
    size_t cap = t->len + need + 1 > 2 * t->cap ? t->len + need + 1 : 2 * t->cap;
    char *p = realloc(t->buf, cap);
    if (!p) return -1;
    t->buf = p, t->cap = cap;
    return 0;
}

/* The position after the last "\n" in buf[from, to), or 0 when there is none. Looked for
 * from the end: it is at most a line away. */
static size_t after_last_newline(const char *buf, size_t from, size_t to)
{
    while (to > from)
        if (buf[--to] == '\n') return to + 1;
    return 0;
}

/* Whole lines into t: the carried start of a line, then reads until a chunk's worth and some
 * line's end; the bytes after the last "\n" are carried to the next slot. At the end of the
 * stream, a last line without "\n" is a line; on an error, the whole lines are handed out
 * and the rest is the line the error cut short. */
static void fill_lines(vcf_ahead_t *a, slot_t *t)
{
    t->len = 0, t->status = 1, t->partial = 0;
    if (slot_room(t, a->carry_len + CHUNK)) goto fail;
    if (a->carry_len) memcpy(t->buf, a->carry, a->carry_len);
    t->len = a->carry_len;
    size_t start = t->len, keep = 0;
    ssize_t n;
    do {
        if (slot_room(t, CHUNK)) goto fail;
        n = read_stream(a->fp, t->buf + t->len, CHUNK);
        if (n > 0) {
            size_t k = after_last_newline(t->buf, t->len, t->len + (size_t)n);
            if (k) keep = k;
            t->len += (size_t)n;
        }
    } while (n > 0 && (keep == 0 || t->len - start < CHUNK));
    if (n == 0) { // the end
        t->status = 0;
        a->carry_len = 0;
        return;
    }
    size_t rest = t->len - keep;
    if (n < 0) {
        t->status = -1;
        t->partial = rest > 0;
        t->len = keep;
        return;
    }
    if (rest > a->carry_cap) {
        char *p = realloc(a->carry, rest);
        if (!p) goto fail;
        a->carry = p, a->carry_cap = rest;
    }
    if (rest) memcpy(a->carry, t->buf + keep, rest);
    a->carry_len = rest, t->len = keep;
    return;
fail: // out of memory
    gdl_log_error("out of memory");
    t->len = 0;
    t->status = -1;
}

/* BCF records into t, until about a chunk's worth. */
static void fill_records(vcf_ahead_t *a, slot_t *t)
{
    size_t bytes = 0;
    t->n_rec = 0, t->status = 1, t->partial = 0;
    if (!t->rec && !(t->rec = calloc(MAX_BATCH, sizeof *t->rec))) goto fail;
    while (t->n_rec < MAX_BATCH && bytes < CHUNK) {
        bcf1_t **r = &t->rec[t->n_rec];
        if (!*r && !(*r = bcf_init())) goto fail;
        int ret = bcf_read(a->fp, a->hdr, *r);
        if (ret == -1) {
            t->status = 0;
            return;
        }
        if (ret < -1) goto fail;
        bytes += (*r)->shared.l + (*r)->indiv.l;
        t->n_rec++;
    }
    return;
fail:
    t->status = -1;
}

static void fill(vcf_ahead_t *a, slot_t *t)
{
    if (a->is_bcf) fill_records(a, t);
    else fill_lines(a, t);
}

static void *reader(void *arg)
{
    vcf_ahead_t *a = arg;
    pthread_mutex_lock(&a->lock);
    for (;;) {
        while (!a->stop && a->produced - a->released == SLOTS) pthread_cond_wait(&a->freed, &a->lock);
        if (a->stop) break;
        slot_t *t = &a->slot[a->produced % SLOTS];
        pthread_mutex_unlock(&a->lock);
        fill(a, t);
        pthread_mutex_lock(&a->lock);
        a->produced++;
        pthread_cond_signal(&a->filled);
        if (t->status != 1) break;
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

/* ---- taking slots (the caller) ------------------------------------------------------------ */

/* The slot to read from, filled; NULL after a slot that ended the stream. */
static slot_t *current(vcf_ahead_t *a)
{
    if (!a->threaded) {
        if (a->produced == a->released) fill(a, &a->slot[a->produced++ % SLOTS]);
        return &a->slot[a->released % SLOTS];
    }
    pthread_mutex_lock(&a->lock);
    while (a->produced == a->released) pthread_cond_wait(&a->filled, &a->lock);
    pthread_mutex_unlock(&a->lock);
    return &a->slot[a->released % SLOTS];
}

/* Done with the current slot (not the last). */
static void release(vcf_ahead_t *a)
{
    a->pos = 0, a->next_rec = 0;
    if (!a->threaded) {
        a->released++;
        return;
    }
    pthread_mutex_lock(&a->lock);
    a->released++;
    pthread_cond_signal(&a->freed);
    pthread_mutex_unlock(&a->lock);
}

vcf_ahead_t *gdl_vcf_ahead_start(htsFile *fp, bcf_hdr_t *hdr, int is_bcf, int threaded)
{
    vcf_ahead_t *a = calloc(1, sizeof *a);
    if (!a) goto oom;
    a->fp = fp, a->hdr = hdr, a->is_bcf = is_bcf;
    if (!threaded) return a;
    if (pthread_mutex_init(&a->lock, NULL) != 0) goto no_thread;
    if (pthread_cond_init(&a->filled, NULL) != 0) {
        pthread_mutex_destroy(&a->lock);
        goto no_thread;
    }
    if (pthread_cond_init(&a->freed, NULL) != 0) {
        pthread_cond_destroy(&a->filled);
        pthread_mutex_destroy(&a->lock);
        goto no_thread;
    }
    a->sync_ready = 1;
    if (pthread_create(&a->thread, NULL, reader, a) != 0) goto no_thread;
    a->threaded = 1;
    return a;
no_thread:
    gdl_log_warn("cannot start a reading thread; reading on one");
    return a;
oom:
    gdl_log_error("out of memory");
    free(a);
    return NULL;
}

void gdl_vcf_ahead_stop(vcf_ahead_t *a)
{
    if (!a || !a->threaded) return;
    pthread_mutex_lock(&a->lock);
    a->stop = 1;
    pthread_cond_signal(&a->freed);
    pthread_mutex_unlock(&a->lock);
    pthread_join(a->thread, NULL);
    a->threaded = 0; // what was read ahead is still handed out, then slots fill here
}

void gdl_vcf_ahead_free(vcf_ahead_t *a)
{
    if (!a) return;
    gdl_vcf_ahead_stop(a);
    if (a->sync_ready) {
        pthread_mutex_destroy(&a->lock);
        pthread_cond_destroy(&a->filled);
        pthread_cond_destroy(&a->freed);
    }
    for (int k = 0; k < SLOTS; k++) {
        free(a->slot[k].buf);
        for (int i = 0; a->slot[k].rec && i < MAX_BATCH; i++)
            if (a->slot[k].rec[i]) bcf_destroy(a->slot[k].rec[i]);
        free(a->slot[k].rec);
    }
    free(a->carry);
    free(a);
}

int gdl_vcf_ahead_line(vcf_ahead_t *a, char **line, size_t *len, int *partial)
{
    slot_t *t;
    *partial = 0;
    for (;;) {
        t = current(a);
        if (a->pos < t->len) break;
        if (t->status != 1) { // the last slot, used up
            *partial = t->status < 0 && t->partial;
            return t->status;
        }
        release(a);
    }
    char *s = t->buf + a->pos, *nl = memchr(s, '\n', t->len - a->pos);
    size_t n = nl ? (size_t)(nl - s) : t->len - a->pos; // no "\n": the last line
    a->pos += n + (nl != NULL);
    if (n > 0 && s[n - 1] == '\r') n--;
    s[n] = 0; // over the "\n", or in the byte kept free after len
    *line = s, *len = n;
    return 1;
}

int gdl_vcf_ahead_record(vcf_ahead_t *a, bcf1_t **rec)
{
    slot_t *t;
    for (;;) {
        t = current(a);
        if (a->next_rec < t->n_rec) break;
        if (t->status != 1) return t->status;
        release(a);
    }
    *rec = t->rec[a->next_rec++];
    return 1;
}
