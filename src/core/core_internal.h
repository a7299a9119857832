/* core internals shared between its files. */
#ifndef GDL_CORE_INTERNAL_H
#define GDL_CORE_INTERNAL_H

/* OpenBLAS on one thread, its own workers stopped (blas.c; threads.c calls it when the pool
 * starts, so cblas stays in blas.c). */
void gdl_blas_single_thread(void);

#endif
