"""The one table of Office Open XML namespaces (Clark notation ``{uri}`` for lxml tag names, and
plain URIs for writers)."""

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CUSTOM_PROPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CORE_PROPS_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"

W = "{%s}" % W_NS
R = "{%s}" % R_NS
REL_NS = "{%s}" % PKG_REL_NS
CP_NS = "{%s}" % CUSTOM_PROPS_NS
