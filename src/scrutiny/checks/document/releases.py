"""Release dates of the software that writes document metadata: data only, read by
``software.py``.

Each family names the software, a regular expression that finds it (and its version, group
``v``) in a metadata value (PDF ``Producer``/``Creator``, XMP ``CreatorTool``/``Producer``,
Office ``Application`` followed by ``AppVersion``), and the versions whose dates are known.

Dates are those of the first official release of a version, from the vendor's release notes
or Wikipedia's release history (named in ``source``); public betas and previews, which carry
the same version months earlier, are not counted. Where only the month or the year is sure,
the table takes its first day, or an earlier lower bound said in the source, so that it
errs towards an earlier date: a date here may be too early, never knowingly too late.

``floor`` families have versions that only grow with time: a version not in the table is
judged by the nearest lower version that is (LibreOffice 6.4 is at least as new as 6.3). In
``exact`` families only listed versions are judged.

The table is small on purpose; software that is not in it is not judged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Release:
    version: str     # as the pattern's group ``v`` captures it (numbers compared as numbers)
    label: str       # the product a reader knows
    released: dt.date
    source: str


@dataclass(frozen=True)
class Family:
    name: str
    pattern: str     # searched in each value; group ``v`` is the version (absent: version "")
    releases: tuple[Release, ...]
    floor: bool = True


D = dt.date
_WIKI_OFFICE = "Wikipedia, Microsoft Office release history"
_WIKI_LO = "Wikipedia, LibreOffice release history; TDF release announcements"
_WIKI_AOO = "Wikipedia, OpenOffice.org and Apache OpenOffice release history"
_WIKI_ACROBAT = "Wikipedia, Adobe Acrobat version history"
_WIKI_MACOS = "Wikipedia, macOS version history"
_CHROME = "Chrome Releases blog (stable channel dates)"


def _office(version: str, label: str, released: D, note: str) -> Release:
    return Release(version, label, released, f"{_WIKI_OFFICE}: {note}")


FAMILIES: tuple[Family, ...] = (
    # Word/Excel/PowerPoint "Save as PDF" (and Office 365 builds) name the product year.
    Family("Microsoft Office 365 (Save as PDF)",
           r"Microsoft®?\s*(?:Word|Excel|PowerPoint|Publisher|Visio|OneNote)\s+for\s+"
           r"(?P<v>Microsoft 365|Office 365)\b",
           (Release("Office 365", "Office 365", D(2011, 6, 28),
                    "Microsoft News Center, Office 365 launch, 28 June 2011"),
            Release("Microsoft 365", "Microsoft 365 (renamed from Office 365)", D(2020, 4, 21),
                    "Microsoft 365 blog, 30 March 2020: Office 365 plans renamed Microsoft 365 "
                    "on 21 April 2020")),
           floor=False),
    Family("Microsoft Office (Save as PDF)",
           r"Microsoft®?\s*(?:Office\s+)?(?:Word|Excel|PowerPoint|Publisher|Visio)\s+"
           r"(?P<v>20[0-9]{2})\b",
           (_office("2007", "Office 2007", D(2006, 11, 3), "Office 2007 RTM 3 Nov 2006"),
            _office("2010", "Office 2010", D(2010, 4, 15), "Office 2010 RTM 15 Apr 2010"),
            _office("2013", "Office 2013", D(2012, 10, 11), "Office 2013 RTM 11 Oct 2012"),
            _office("2016", "Office 2016", D(2015, 9, 22),
                    "Office 2016 for Windows, 22 Sep 2015"),
            _office("2019", "Office 2019", D(2018, 9, 24), "Office 2019, 24 Sep 2018"),
            _office("2021", "Office 2021", D(2021, 10, 5), "Office 2021, 5 Oct 2021"),
            _office("2024", "Office 2024", D(2024, 10, 1), "Office 2024, 1 Oct 2024"))),
    # Office Application + AppVersion (docx/xlsx app.xml, .doc/.xls summary information):
    # the major version. 16.0 is shared by Office 2016, 2019, 2021, 2024 and Microsoft 365,
    # so it gets the first of them: Office 2016 (for Mac, 9 July 2015).
    Family("Microsoft Office (application version)",
           r"^Microsoft (?:Office |Macintosh )?(?:Word|Excel|PowerPoint)\s+"
           r"(?P<v>[0-9]{1,2})\.[0-9]+",
           (_office("8", "Office 97", D(1996, 11, 19), "Office 97 RTM 19 Nov 1996"),
            _office("9", "Office 2000", D(1999, 3, 29), "Office 2000 RTM 29 Mar 1999"),
            _office("10", "Office XP", D(2001, 3, 5), "Office XP RTM 5 Mar 2001"),
            _office("11", "Office 2003", D(2003, 8, 19), "Office 2003 RTM 19 Aug 2003"),
            _office("12", "Office 2007", D(2006, 11, 3), "Office 2007 RTM 3 Nov 2006"),
            _office("14", "Office 2010", D(2010, 4, 15), "Office 2010 RTM 15 Apr 2010"),
            _office("15", "Office 2013", D(2012, 10, 11), "Office 2013 RTM 11 Oct 2012"),
            _office("16", "Office 2016 or later (2016/2019/2021/365)", D(2015, 7, 9),
                    "Office 2016 for Mac, 9 Jul 2015 (Windows 22 Sep 2015)"))),
    Family("Windows Print to PDF", r"^Microsoft: Print To PDF$",
           (Release("", "Windows 10 (Microsoft Print to PDF)", D(2015, 7, 29),
                    "Wikipedia, Windows 10 version history: first release 29 Jul 2015; the "
                    "printer is new in Windows 10"),),
           floor=False),
    # Kingsoft publishes no release history. The first public builds of each major came out
    # in the year before the product's name (WPS 2016 = 10.1, 2019 = 11.1), so 1 January of
    # that year is a lower bound. Only the Windows numbering is listed (exact versions):
    # the mobile apps count differently.
    Family("WPS Office", r"\bWPS Office[ _](?P<v>[0-9]+\.[0-9]+)",
           (Release("9.1", "WPS Office 2013", D(2012, 1, 1),
                    "lower bound: 1 Jan of the year before WPS Office 2013"),
            Release("10.1", "WPS Office 2016", D(2015, 1, 1),
                    "lower bound: 1 Jan of the year before WPS Office 2016"),
            Release("11.1", "WPS Office 2019", D(2018, 1, 1),
                    "lower bound: 1 Jan of the year before WPS Office 2019"),
            Release("11.8", "WPS Office 2019 Professional", D(2018, 1, 1),
                    "lower bound: 1 Jan of the year before WPS Office 2019")),
           floor=False),
    Family("LibreOffice", r"\bLibreOffice[ /](?P<v>[0-9]+\.[0-9]+)",
           tuple(Release(v, f"LibreOffice {v}", d, _WIKI_LO) for v, d in (
               ("3.3", D(2011, 1, 25)), ("3.4", D(2011, 6, 3)), ("3.5", D(2012, 2, 14)),
               ("3.6", D(2012, 8, 8)), ("4.0", D(2013, 2, 7)), ("4.1", D(2013, 7, 25)),
               ("4.2", D(2014, 1, 30)), ("4.3", D(2014, 7, 30)), ("4.4", D(2015, 1, 29)),
               ("5.0", D(2015, 8, 5)), ("5.1", D(2016, 2, 10)), ("5.2", D(2016, 8, 3)),
               ("5.3", D(2017, 2, 1)), ("5.4", D(2017, 7, 28)), ("6.0", D(2018, 1, 31)),
               ("6.1", D(2018, 8, 8)), ("6.2", D(2019, 2, 7)), ("6.3", D(2019, 8, 8)),
               ("6.4", D(2020, 1, 29)), ("7.0", D(2020, 8, 5)), ("7.1", D(2021, 2, 3)),
               ("7.2", D(2021, 8, 19)), ("7.3", D(2022, 2, 2)), ("7.4", D(2022, 8, 18)),
               ("7.5", D(2023, 2, 2)), ("7.6", D(2023, 8, 21)), ("24.2", D(2024, 1, 31)),
               ("24.8", D(2024, 8, 22)), ("25.2", D(2025, 2, 6))))),
    Family("OpenOffice", r"\bOpenOffice(?:\.org)?[ /](?P<v>[0-9]+\.[0-9]+)",
           tuple(Release(v, label, d, _WIKI_AOO) for v, label, d in (
               ("1.0", "OpenOffice.org 1.0", D(2002, 5, 1)),
               ("1.1", "OpenOffice.org 1.1", D(2003, 9, 2)),
               ("2.0", "OpenOffice.org 2.0", D(2005, 10, 20)),
               ("3.0", "OpenOffice.org 3.0", D(2008, 10, 13)),
               ("3.1", "OpenOffice.org 3.1", D(2009, 5, 7)),
               ("3.2", "OpenOffice.org 3.2", D(2010, 2, 11)),
               ("3.3", "OpenOffice.org 3.3", D(2011, 1, 26)),
               ("3.4", "Apache OpenOffice 3.4", D(2012, 5, 8)),
               ("4.0", "Apache OpenOffice 4.0", D(2013, 7, 23)),
               ("4.1", "Apache OpenOffice 4.1", D(2014, 4, 29))))),
    # Acrobat Distiller carries Acrobat's version. Where the day is not sure, the first day
    # of the month the version was announced. Since Acrobat DC the major is a year (17 =
    # 2017…), and a continuous-track update may carry the next year's number a few months
    # early: 1 January of the year before is the lower bound.
    Family("Acrobat Distiller", r"\bAcrobat Distiller (?P<v>[0-9]+)(?:\.[0-9]+)*",
           tuple(Release(v, label, d, f"{_WIKI_ACROBAT}: {note}") for v, label, d, note in (
               ("5", "Acrobat 5", D(2001, 4, 1), "announced April 2001"),
               ("6", "Acrobat 6", D(2003, 4, 1), "announced April 2003"),
               ("7", "Acrobat 7", D(2004, 12, 1), "announced December 2004"),
               ("8", "Acrobat 8", D(2006, 10, 1), "announced October 2006"),
               ("9", "Acrobat 9", D(2008, 6, 1), "announced June 2008"),
               ("10", "Acrobat X", D(2010, 11, 15), "released 15 Nov 2010"),
               ("11", "Acrobat XI", D(2012, 10, 15), "released 15 Oct 2012"),
               ("15", "Acrobat DC", D(2015, 3, 17), "Document Cloud launch 17 Mar 2015"),
               *((str(y), f"Acrobat DC 20{y}", D(2000 + y - 1, 1, 1),
                  "lower bound: 1 Jan of the year before the version's year")
                 for y in range(17, 26))))),
    # The Adobe PDF Library ships first with the Acrobat of the same major (InDesign and
    # Illustrator use it later), so Acrobat's dates bound it from below.
    Family("Adobe PDF Library", r"\bAdobe PDF Library (?P<v>[0-9]+)(?:\.[0-9]+)*",
           tuple(Release(v, f"Adobe PDF Library {v}", d,
                         f"{_WIKI_ACROBAT}: Acrobat {v} ({note})") for v, d, note in (
               ("7", D(2004, 12, 1), "announced December 2004"),
               ("8", D(2006, 10, 1), "announced October 2006"),
               ("9", D(2008, 6, 1), "announced June 2008"),
               ("10", D(2010, 11, 15), "Acrobat X, 15 Nov 2010"),
               ("11", D(2012, 10, 15), "Acrobat XI, 15 Oct 2012"),
               ("15", D(2015, 3, 17), "Acrobat DC, 17 Mar 2015")))),
    # macOS "Print → Save as PDF": "Mac OS X 10.13.6 Quartz PDFContext",
    # "macOS Version 10.15.7 (Build 19H2) Quartz PDFContext", localized "macOS 版本11.2…".
    Family("macOS Quartz PDFContext",
           r"(?:Mac OS X|macOS)\D{0,20}?(?P<v>[0-9]+(?:\.[0-9]+)?)[^Q]{0,60}Quartz PDFContext",
           tuple(Release(v, f"macOS {v}", d, _WIKI_MACOS) for v, d in (
               ("10.0", D(2001, 3, 24)), ("10.1", D(2001, 9, 25)), ("10.2", D(2002, 8, 24)),
               ("10.3", D(2003, 10, 24)), ("10.4", D(2005, 4, 29)), ("10.5", D(2007, 10, 26)),
               ("10.6", D(2009, 8, 28)), ("10.7", D(2011, 7, 20)), ("10.8", D(2012, 7, 25)),
               ("10.9", D(2013, 10, 22)), ("10.10", D(2014, 10, 16)),
               ("10.11", D(2015, 9, 30)), ("10.12", D(2016, 9, 20)),
               ("10.13", D(2017, 9, 25)), ("10.14", D(2018, 9, 24)),
               ("10.15", D(2019, 10, 7)), ("11", D(2020, 11, 12)), ("12", D(2021, 10, 25)),
               ("13", D(2022, 10, 24)), ("14", D(2023, 9, 26)), ("15", D(2024, 9, 16))))),
    # Chrome's "Save as PDF" (and Chromium browsers: 360, QQ, Edge) writes "Skia/PDF m<N>",
    # N the Chrome milestone. Canary builds carry milestone N about three months before it
    # reaches the stable channel, so each entry is the stable date of an earlier milestone
    # (N-2 in the six-week cycle, N-3 in the four-week cycle from Chrome 94).
    Family("Chrome / Skia PDF", r"\bSkia/PDF m(?P<v>[0-9]+)",
           tuple(Release(v, f"Chrome {v}", d, f"{_CHROME}: {note}") for v, d, note in (
               ("50", D(2016, 1, 20), "Chrome 48 stable 20 Jan 2016"),
               ("60", D(2017, 4, 19), "Chrome 58 stable 19 Apr 2017"),
               ("70", D(2018, 7, 24), "Chrome 68 stable 24 Jul 2018"),
               ("80", D(2019, 10, 22), "Chrome 78 stable 22 Oct 2019"),
               ("90", D(2021, 1, 19), "Chrome 88 stable 19 Jan 2021"),
               ("100", D(2022, 1, 4), "Chrome 97 stable 4 Jan 2022"),
               ("110", D(2022, 10, 25), "Chrome 107 stable 25 Oct 2022"),
               ("120", D(2023, 9, 12), "Chrome 117 stable 12 Sep 2023"),
               ("130", D(2024, 7, 23), "Chrome 127 stable 23 Jul 2024")))),
    # iText writes "iText 2.1.7 by 1T3XT", "iText® 5.5.13 ©2000-2019 iText Group NV",
    # "iText® Core 8.0.0 …"; iTextSharp the same numbers. Month of release, first day.
    Family("iText", r"\biText(?:Sharp)?(?:®|™)?(?: Core)? (?P<v>[0-9]+)\.[0-9]+",
           (Release("5", "iText 5", D(2009, 12, 1), "iText release notes: 5.0.0, December 2009"),
            Release("7", "iText 7", D(2016, 5, 1), "iText release notes: 7.0.0, May 2016"),
            Release("8", "iText 8", D(2023, 5, 1), "iText release notes: 8.0.0, May 2023"))),
    # ReportLab writes "ReportLab PDF Library - www.reportlab.com", without a version: it
    # cannot be dated and is not listed.
)
