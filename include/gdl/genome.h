/* genome: readers of genomics formats through htslib (the only module that includes it). */
#ifndef GDL_GENOME_H
#define GDL_GENOME_H

const char *gdl_genome_htslib_version(void);

#endif
