// libpng's simplified API (png_image_*) reports errors through image.message
// instead of longjmp, so it is safe to call from Swift.
#include <png.h>
