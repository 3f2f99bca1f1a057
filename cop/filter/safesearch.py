"""Safe search by DNS: the names each search engine asks networks to point at its filtered service.

The targets are the ones the engines publish for schools and families:
Google `forcesafesearch.google.com`; Bing `strict.bing.com`; DuckDuckGo `safe.duckduckgo.com`;
YouTube `restrict.youtube.com` (strict) and `restrictmoderate.youtube.com` (moderate).
Google's country domains are the ones listed at google.com/supported_domains.
"""

from __future__ import annotations

GOOGLE_TARGET = "forcesafesearch.google.com"
BING_TARGET = "strict.bing.com"
DUCKDUCKGO_TARGET = "safe.duckduckgo.com"
YOUTUBE_TARGETS = {"strict": "restrict.youtube.com", "moderate": "restrictmoderate.youtube.com"}

_GOOGLE_SUFFIXES = """
com ad ae com.af com.ag al am co.ao com.ar as at com.au az ba com.bd be bf bg com.bh bi bj com.bn
com.bo com.br bs bt co.bw by com.bz ca cd cf cg ch ci co.ck cl cm cn com.co co.cr com.cu cv com.cy
cz de dj dk dm com.do dz com.ec ee com.eg es com.et fi com.fj fm fr ga ge gg com.gh com.gi gl gm gr
com.gt gy com.hk hn hr ht hu co.id ie co.il im co.in iq is it je com.jm jo co.jp co.ke com.kh ki kg
co.kr com.kw kz la com.lb li lk co.ls lt lu lv com.ly co.ma md me mg mk ml com.mm mn com.mt mu mv mw
com.mx com.my co.mz com.na com.ng com.ni ne nl no com.np nr nu co.nz com.om com.pa com.pe com.pg
com.ph com.pk pl pn com.pr ps pt com.py com.qa ro ru rw com.sa com.sb sc se com.sg sh si sk com.sl
sn so sm sr st com.sv td tg co.th com.tj tl tm tn to com.tr tt com.tw co.tz com.ua co.ug co.uk
com.uy co.uz com.vc co.ve co.vi com.vn vu ws rs co.za co.zm co.zw cat
""".split()

GOOGLE_NAMES: tuple[str, ...] = tuple(
    name for suffix in _GOOGLE_SUFFIXES for name in (f"google.{suffix}", f"www.google.{suffix}")
)
BING_NAMES: tuple[str, ...] = ("bing.com", "www.bing.com")
DUCKDUCKGO_NAMES: tuple[str, ...] = ("duckduckgo.com", "www.duckduckgo.com", "start.duckduckgo.com")
YOUTUBE_NAMES: tuple[str, ...] = (
    "www.youtube.com",
    "m.youtube.com",
    "youtubei.googleapis.com",
    "youtube.googleapis.com",
    "www.youtube-nocookie.com",
)


def rewrites(safe_search: bool, youtube: str) -> dict[str, str]:
    """Name -> the name it must be answered as, for a profile's settings."""
    table: dict[str, str] = {}
    if safe_search:
        table.update(dict.fromkeys(GOOGLE_NAMES, GOOGLE_TARGET))
        table.update(dict.fromkeys(BING_NAMES, BING_TARGET))
        table.update(dict.fromkeys(DUCKDUCKGO_NAMES, DUCKDUCKGO_TARGET))
    if youtube in YOUTUBE_TARGETS:
        table.update(dict.fromkeys(YOUTUBE_NAMES, YOUTUBE_TARGETS[youtube]))
    return table
