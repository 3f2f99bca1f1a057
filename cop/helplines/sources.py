"""Where helpline facts and emergency numbers come from, in the reader's language.

The loader stores the English source text with each number (it is data, and the audit of a load
needs one spelling); pages show it through `describe`, which translates the sources the platform
writes itself and leaves a source typed by an editor as it was written.
"""

from __future__ import annotations

import re

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cop.core.languages import with_names

# The loader writes this one, with the version of the library that was installed.
LIBPHONENUMBER = re.compile(r"^libphonenumber short-number metadata \(phonenumbers (?P<version>[\w.+-]+)\)$")

# The sources written in reference/services.toml: ours, so translated.
KNOWN = {
    gettext_noop("COP reference facts §7"),
    gettext_noop("COP reference facts §7 (116 is the child helpline number in Kenya)"),
    gettext_noop("COP reference facts §7 (116 is the child helpline number in South Africa)"),
    gettext_noop("COP reference facts §7; 116 111 harmonised by Commission Decision 2007/689/EC"),
}


def describe(source: str) -> SafeString:
    found = LIBPHONENUMBER.match(source)
    if found:
        return with_names(
            _("Short-number metadata of %(library)s (the %(package)s package, version %(version)s)"),
            {
                "library": ("libphonenumber", "en"),
                "package": ("phonenumbers", "en"),
                "version": (found["version"], None),
            },
        )
    if source in KNOWN:
        return conditional_escape(_(source))
    return conditional_escape(source)
