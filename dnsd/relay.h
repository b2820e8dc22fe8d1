/* relay.h - moved to dnsd/relay/relay.h; this forwarder goes once every
 * includer names the new path. */
#include "dnsd/relay/relay.h"
