// OpenBLAS's CBLAS interface plus its openblas_get_* introspection functions.
#include <cblas.h>
