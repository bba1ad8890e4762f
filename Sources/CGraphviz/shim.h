#ifndef TMREPO_CGRAPHVIZ_SHIM_H
#define TMREPO_CGRAPHVIZ_SHIM_H
/* Graphviz's layout and rendering (libgvc) and graph (libcgraph) APIs, found through
   pkg-config libgvc (-I/usr/include/graphviz). Only TMGraphviz imports this module. */
#include <gvc.h>
#include <cgraph.h>
#endif
