/* Found on the include path pkg-config gives (blooio.pc). */
#include <blooio.h>
