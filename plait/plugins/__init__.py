"""Plugin machinery: discovery and the registry (:mod:`.registry`), the hooks a plugin may implement
(:mod:`.hookspecs`), the typed records plugins hand over (:mod:`.contracts`), keeping one broken plugin
from breaking the others (:mod:`.isolation`, :mod:`.lazy`), the built-in encoder plugins and the
``plait new`` scaffold."""
