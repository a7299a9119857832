/* data: the .gdl container (safetensors layout), read by mmap and written atomically.
 *
 * Layout: 8-byte little-endian header length H, H bytes of JSON
 *   {"NAME": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 *    "__metadata__": {"key": "string", ...}}
 * padded with spaces to a multiple of 8, then the data: tensors back to back, offsets relative
 * to the end of the header, no gaps. gdl writes tensors with the widest element first so every
 * tensor is aligned to its element size in the mapped file. The contract, with every check
 * gdl_file_open makes: docs/formats.md. */
#ifndef GDL_DATA_H
#define GDL_DATA_H

#include <stddef.h>
#include <stdint.h>

#define GDL_FILE_MAX_DIMS 8
#define GDL_FILE_MAX_HEADER (100u << 20) // 100 MiB, as the safetensors reference reader

typedef enum {
    GDL_BOOL, GDL_U8, GDL_I8, GDL_U16, GDL_I16, GDL_F16, GDL_BF16, GDL_U32, GDL_I32, GDL_F32,
    GDL_U64, GDL_I64, GDL_F64, GDL_DTYPE_COUNT
} gdl_dtype_t;

const char *gdl_dtype_name(gdl_dtype_t t);  // "F32"
int gdl_dtype_from_name(const char *name);  // -1 if unknown
size_t gdl_dtype_size(gdl_dtype_t t);       // bytes per element

/* One tensor of a file. data points into the mapping (or an aligned copy for a file from
 * elsewhere whose tensor is not aligned to its element size); it lives as long as the file. */
typedef struct {
    char *name;
    gdl_dtype_t dtype;
    int ndim;
    int64_t shape[GDL_FILE_MAX_DIMS];
    uint64_t numel, nbytes;
    uint64_t begin, end; // data_offsets, relative to the data section
    const void *data;
} gdl_entry_t;

typedef struct gdl_file_t gdl_file_t;

/* Maps and validates PATH. On any defect (truncated, bad JSON, unknown dtype, overflowing shape,
 * offsets out of range, overlapping or leaving gaps) returns NULL with an error naming the file
 * and the tensor. Close with gdl_file_close. */
gdl_file_t *gdl_file_open(const char *path);
void gdl_file_close(gdl_file_t *f);

const char *gdl_file_path(const gdl_file_t *f); // "(sequences in memory)" for NULL (a dataset built in memory)
uint64_t gdl_file_size(const gdl_file_t *f);
int gdl_file_count(const gdl_file_t *f);                          // tensors, in offset order
const gdl_entry_t *gdl_file_entry(const gdl_file_t *f, int i);
const gdl_entry_t *gdl_file_find(const gdl_file_t *f, const char *name); // NULL if absent
int gdl_file_meta_count(const gdl_file_t *f);
const char *gdl_file_meta_key(const gdl_file_t *f, int i);
const char *gdl_file_meta(const gdl_file_t *f, const char *key);  // NULL if absent
/* The header JSON as stored (padding spaces included), NUL-terminated; owned by f. */
const char *gdl_file_header(const gdl_file_t *f);
/* {"file", "bytes", "metadata": {..}, "tensors": [{"name", "dtype", "shape", "data_offsets"}]}
 * as indented JSON; malloc'd, caller frees; NULL when out of memory. */
char *gdl_file_describe_json(const gdl_file_t *f);

/* Writing: declare tensors and metadata, open (which lays out the file, writes the header and
 * maps the data section), fill each tensor through gdl_writer_data (any order, so a cohort
 * larger than memory can be written in place), then commit (msync, fsync, rename into place).
 * gdl_writer_free without a commit removes the temporary file. */
typedef struct gdl_writer_t gdl_writer_t;

gdl_writer_t *gdl_writer_new(void);
/* Returns the tensor's index, or -1 (duplicate or empty name, bad shape). */
int gdl_writer_add(gdl_writer_t *w, const char *name, gdl_dtype_t dtype, int ndim,
                   const int64_t *shape);
int gdl_writer_set_meta(gdl_writer_t *w, const char *key, const char *value);
int gdl_writer_open(gdl_writer_t *w, const char *path);
void *gdl_writer_data(gdl_writer_t *w, int index); // NULL before open (maps the file on first use)
/* Writes tensor index whole from data (nbytes must be its size) without mapping the file, so
 * writing a large model does not grow the process's resident memory. 0 or -1 with an error. */
int gdl_writer_write(gdl_writer_t *w, int index, const void *data, uint64_t nbytes);
/* Writes bytes [offset, offset + nbytes) of tensor index from data, without mapping the file:
 * a tensor written in parts. 0 or -1 with an error. */
int gdl_writer_write_at(gdl_writer_t *w, int index, uint64_t offset, const void *data,
                        uint64_t nbytes);
int gdl_writer_commit(gdl_writer_t *w);
void gdl_writer_free(gdl_writer_t *w);

const char *gdl_data_cjson_version(void);
const char *gdl_data_zlib_version(void);

#endif
