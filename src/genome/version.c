#include <htslib/hts.h>

#include "gdl/genome.h"

const char *gdl_genome_htslib_version(void) { return hts_version(); }
