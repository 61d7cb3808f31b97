"""Test worlds of several council websites, built from the sites this project has, for measuring
a deployment that answers from more than one site (council file ``sites``).

- **Two tiers** (``build_two_tier``): ``../shared/sites/realpages`` split by section into a
  district council's site (Council Tax, benefits, business, community safety, democracy, money,
  jobs, news) and a county council's (adult social care, children and families, schools,
  parking and travel, libraries, registration), each on its own address, each with its own home
  page, contact page, robots.txt and sitemap, and links between them pointing at the other site.
  The district runs the bot: ``eval/councils/scarfolk-district.yaml``.
- **Predecessors** (``build_predecessors``): the bundled sample site published twice, as the
  websites of two councils that a new unitary replaced, whose garden waste charges and
  collection days differ: ``eval/councils/kestrelford-unitary.yaml``.

Council files name their sites with stand-in addresses (``http://district.world.test/``);
``council_file`` writes one with the addresses the sites are served on.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from askcouncil.devsite import SAMPLE_SITE

HERE = Path(__file__).resolve().parent
COUNCILS = HERE / "councils"
DISTRICT = ("benefits", "business", "community-and-safety", "council-and-democracy",
            "council-tax", "directory", "jobs-and-skills", "money-and-debt", "news", "documents",
            "search")
COUNTY = ("adult-social-care", "children-and-families", "schools-and-learning",
          "parking-and-travel", "libraries-and-leisure", "births-deaths-marriages")
SHARED_FILES = ("assets", "cookies.html", "accessibility-statement.html")
HREF = re.compile(r'(href=")([^"#]+)(")')
MAIN = re.compile(r"<main\b[^>]*>.*?</main>", re.S)

COUNTY_HOME = """<main id="main-content" role="main">
    <h1>Welcome to {name}</h1>
    <p>{name} runs social care, schools, libraries, registration, Blue
    Badges and the roads across the county. Bins, Council Tax and housing are run by your
    district council.</p>
    <h2>Services</h2>
    <ul>
{links}
    </ul>
    </main>"""
COUNTY_CONTACT = """<main id="main-content" role="main">
    <h1>Contact us</h1>
    <p>{name}, County Hall, Market Street SC2 2BB</p>
    <p>Telephone: 01632 961 000</p>
    <p>Email: <a href="mailto:contact@county.example">contact@county.example</a></p>
    <p>Opening hours: Monday to Friday, 8am to 6pm (closed on bank holidays)</p>
    <h2 id="roads">Roads, pavements and street lights</h2>
    <p>Report a pothole, a broken street light or a damaged pavement to the highways team on
    01632 961 100, Monday to Friday, 8am to 6pm.</p>
    <p>For a danger on the road out of hours, call 01632 961 999.</p>
    </main>"""


def build_realpages(shared: Path, base_url: str, out: Path) -> Path:
    subprocess.run([sys.executable, str(shared / "sites" / "build_realpages.py"),
                    "--base-url", base_url.rstrip("/"), "--out", str(out)],
                   check=True, capture_output=True)
    return out


def build_two_tier(shared: Path, out: Path, district_url: str, county_url: str
                   ) -> tuple[Path, Path]:
    """The district's and the county's sites from realpages, under ``out``, for serving at
    those addresses."""
    fulls = {"district": build_realpages(shared, district_url, out / "district-full"),
             "county": build_realpages(shared, county_url, out / "county-full")}
    sites = split_site(fulls, out, {"district": district_url, "county": county_url},
                       {"district": DISTRICT, "county": COUNTY},
                       {"district": "Scarfolk District Council",
                        "county": "Scarfolkshire County Council"}, "Scarfolk Council")
    for full in fulls.values():
        shutil.rmtree(full)
    return sites["district"], sites["county"]


# The bundled sample site split the same way, small enough for the tests: Kestrelford Borough
# Council keeps the district's services; Kestrelshire County Council (kestrelford.yaml's county
# partner) gets schools, libraries and registration.
SAMPLE_COUNTY = ("schools", "libraries", "registering-births-and-deaths")


def build_sample_two_tier(out: Path, district_url: str, county_url: str) -> tuple[Path, Path]:
    district = tuple(p.name for p in SAMPLE_SITE.iterdir() if p.is_dir()
                     and p.name not in SAMPLE_COUNTY and p.name != "assets")
    sites = split_site({"district": SAMPLE_SITE, "county": SAMPLE_SITE}, out,
                       {"district": district_url, "county": county_url},
                       {"district": district, "county": SAMPLE_COUNTY},
                       {"district": "Kestrelford Borough Council",
                        "county": "Kestrelshire County Council"}, "Kestrelford Borough Council")
    return sites["district"], sites["county"]


def split_site(fulls: dict[str, Path], out: Path, urls: dict[str, str],
               sections: dict[str, tuple[str, ...]], names: dict[str, str], was: str
               ) -> dict[str, Path]:
    """Two sites cut from whole ones (``fulls``, built for each address): each keeps its
    ``sections`` (the district also its home and contact pages), its links into the other's
    sections point there, and ``was`` (the whole site's council name) becomes its own name; the
    county gets a home page and a contact page of its own."""
    sites = {}
    for name, other in (("district", "county"), ("county", "district")):
        full, site, own = fulls[name], out / name, names[name]
        if site.exists():
            shutil.rmtree(site)
        site.mkdir(parents=True)
        keep = set(sections[name]) | set(SHARED_FILES)
        if name == "district":
            keep |= {"index.html", "contact-us.html", "contact-us"}
        for path in sorted(full.rglob("*")):
            rel = path.relative_to(full)
            if rel.parts[0] not in keep or path.is_dir():
                continue
            target = site / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".html":
                text = _relink(path.read_text("utf-8"), urls[name], rel.as_posix(), urls[other],
                               sections[other])
                target.write_text(text.replace(was, own), "utf-8")
            else:
                shutil.copyfile(path, target)
        if name == "county":
            template = (full / "index.html").read_text("utf-8").replace(was, own)
            links = "\n".join(f'      <li><a href="{s}/index.html">{s.replace("-", " ").title()}'
                              "</a></li>" for s in sections[name])
            (site / "index.html").write_text(MAIN.sub(
                COUNTY_HOME.format(links=links, name=own), template, count=1), "utf-8")
            (site / "contact-us.html").write_text(MAIN.sub(
                COUNTY_CONTACT.format(name=own), template, count=1), "utf-8")
        for extra in ("robots.txt", "sitemap.xml"):
            if (full / extra).exists():
                shutil.copyfile(full / extra, site / extra)
        if (site / "sitemap.xml").exists():
            _sitemap(site / "sitemap.xml", site / "sitemap.xml", keep | {"index.html"})
        sites[name] = site
    return sites


def _relink(html: str, base: str, rel: str, other_url: str, other: tuple[str, ...]) -> str:
    """Links to the other council's sections point at the other council's site."""
    page = urljoin(base, rel)

    def fix(m: re.Match[str]) -> str:
        href = m.group(2)
        if re.match(r"^[a-z]+:", href):
            return m.group(0)
        path = urlsplit(urljoin(page, href)).path
        first = path.lstrip("/").split("/", 1)[0]
        if first in other:
            return f"{m.group(1)}{urljoin(other_url, path.lstrip('/'))}{m.group(3)}"
        return m.group(0)

    return HREF.sub(fix, html)


def _sitemap(source: Path, target: Path, keep: set[str]) -> None:
    text = source.read_text("utf-8")

    def kept(m: re.Match[str]) -> str:
        path = urlsplit(m.group(1)).path.lstrip("/")
        return m.group(0) if path.split("/", 1)[0] in keep else ""

    target.write_text(re.sub(r"\s*<url><loc>([^<]+)</loc>.*?</url>", kept, text, flags=re.S),
                      "utf-8")


# -- a new unitary answering from its predecessors' sites ----------------------------------------

# What differs between the two predecessors' sites (the sample site, published twice).
PREDECESSORS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "north": ("North Kestrelford Borough Council", []),
    "south": ("South Kestrelford District Council", [
        ("bins-and-recycling/garden-waste.html", "£49", "£58"),
        ("bins-and-recycling/bin-collection-days.html", "by 6:30am", "by 7am"),
    ]),
}


def build_predecessors(out: Path) -> dict[str, Path]:
    """The two predecessor councils' sites, under ``out``."""
    sites = {}
    for key, (name, changes) in PREDECESSORS.items():
        site = out / key
        if site.exists():
            shutil.rmtree(site)
        shutil.copytree(SAMPLE_SITE, site)
        for page in site.rglob("*.html"):
            page.write_text(page.read_text("utf-8").replace("Kestrelford Borough Council",
                                                            name), "utf-8")
        for rel, old, new in changes:
            page = site / rel
            text = page.read_text("utf-8")
            if old not in text:
                raise ValueError(f"{rel} no longer says {old!r}: update PREDECESSORS")
            page.write_text(text.replace(old, new), "utf-8")
        sites[key] = site
    return sites


def council_file(template: Path, out_dir: Path, urls: dict[str, str]) -> Path:
    """The council file ``template`` with its sites' stand-in addresses
    (``http://KEY.world.test/``) replaced by ``urls`` (key -> address), in ``out_dir``."""
    text = template.read_text("utf-8")
    for key, url in urls.items():
        text = text.replace(f"http://{key}.world.test/", url)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / template.name
    path.write_text(text, "utf-8")
    return path
