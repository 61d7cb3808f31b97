"""A static council-like website of any size, for the scale benchmark: services (bins, council
tax, planning, parking, housing, libraries, schools, licensing, roads, social care and more) with
their sub-pages, and the long tail a real council site has (a page per ward's collections, per
library, school, road scheme, planning application, licence register entry, meeting and news
story). Text is written here from templates and word lists, deterministically from a seed: most
pages 300-1,500 words of headed sections with paragraphs, steps, fee tables, opening hours,
phone numbers and forms, inside a header menu, breadcrumbs, related links and a footer. Every
page is in a sitemap with its <lastmod> (a sitemap index over 5,000 URLs), which robots.txt
names, and is served with that date as its Last-Modified.

    python -m benchmarks.scalesite --base-url http://127.0.0.1:8001 --out DIR [--pages 10000]
"""

from __future__ import annotations

import argparse
import html
import os
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

PER_SITEMAP = 5_000
PER_LISTING = 40  # long-tail pages a listing page links to
NOW = datetime(2026, 11, 1, tzinfo=UTC)  # fixed, so a seed always gives the same site

# (slug, name, noun, sub-pages, long-tail collection)
SERVICES = [
    ("bins", "Bins and recycling", "your bin collection",
     "Bin collection days|Missed bin collections|Garden waste subscription|Order a new bin|"
     "Bulky waste collection|Recycling centres|What goes in each bin|Assisted collections|"
     "Clinical waste|Christmas collection changes|Commercial waste|Fly-tipping", "ward"),
    ("council-tax", "Council Tax", "your Council Tax",
     "Council Tax bands and charges|Pay your Council Tax|Set up a Direct Debit|"
     "Council Tax discounts|Single person discount|Council Tax Reduction|Moving home|"
     "Empty homes premium|Appeal your band|Arrears and recovery|Student exemptions|"
     "Second homes", "band"),
    ("planning", "Planning and building control", "your planning application",
     "Apply for planning permission|Do you need planning permission|Pre-application advice|"
     "Comment on an application|Planning appeals|Building regulations|Dangerous structures|"
     "Tree preservation orders|Conservation areas|Local plan|Enforcement|Planning fees",
     "application"),
    ("parking", "Parking", "your parking permit",
     "Resident parking permits|Visitor permits|Pay a penalty charge notice|"
     "Challenge a parking fine|Car parks and charges|Blue Badge parking|Season tickets|"
     "Electric vehicle charging|Dropped kerbs|Parking suspensions|Business permits|"
     "Controlled parking zones", "car-park"),
    ("housing", "Housing", "your housing application",
     "Apply for social housing|Homelessness help|Housing benefit|Repairs to council homes|"
     "Private renting|Disabled facilities grants|Houses in multiple occupation|"
     "Empty properties|Damp and mould|Tenancy advice|Rent arrears|Sheltered housing",
     "estate"),
    ("libraries", "Libraries", "your library card",
     "Join the library|Renew and reserve books|eBooks and audiobooks|Computers and Wi-Fi|"
     "Children's activities|Home library service|Local history archive|Room hire|"
     "Reading groups|Fines and charges|Printing and scanning|Volunteering in libraries",
     "library"),
    ("schools", "Schools and education", "your school application",
     "Apply for a primary school place|Apply for a secondary school place|In-year transfers|"
     "School term dates|Free school meals|School transport|Special educational needs|"
     "School admission appeals|Elective home education|Attendance|Uniform grants|"
     "Adult learning", "school"),
    ("licensing", "Licensing", "your licence",
     "Alcohol and entertainment licences|Taxi and private hire licences|Street trading|"
     "Temporary event notices|Gambling licences|Animal licences|Scrap metal dealers|"
     "Skin piercing and tattoos|Pavement licences|Charity collections|Sex establishments|"
     "Licensing policy", "licence"),
    ("roads", "Roads and travel", "your report",
     "Report a pothole|Roadworks|Street lighting|Gritting and winter roads|"
     "Road closures|Bus passes|Cycling|Traffic orders|Highway licences|Flooding on roads|"
     "Speed limits|Footpaths and rights of way", "scheme"),
    ("social-care", "Adult social care", "your care assessment",
     "Ask for a care assessment|Paying for care|Carers' support|Direct payments|"
     "Home care|Care homes|Equipment and adaptations|Safeguarding adults|"
     "Learning disabilities|Mental health support|Telecare alarms|Meals at home", "provider"),
    ("environment", "Environment and pests", "your request",
     "Noise complaints|Pest control|Air quality|Dog fouling|Stray dogs|Graffiti removal|"
     "Abandoned vehicles|Food hygiene ratings|Contaminated land|Bonfires|Litter|Pollution",
     "park"),
    ("benefits", "Benefits and support", "your claim",
     "Housing Benefit claims|Cost of living support|Discretionary housing payments|"
     "Local welfare assistance|Report a change of circumstances|Overpayments|Warm homes|"
     "Budgeting advice|Food banks|Energy grants|Free school meal vouchers|Appeals", "centre"),
    ("births-deaths", "Births, deaths and marriages", "your appointment",
     "Register a birth|Register a death|Book a wedding|Civil partnerships|Citizenship ceremonies|"
     "Certificates|Change a name|Tell Us Once|Bereavement support|Funerals|Cemeteries|"
     "Notice of marriage", "venue"),
    ("council", "Council and democracy", "your question",
     "Find your councillor|Council meetings|Elections and voting|Register to vote|"
     "Budget and spending|Freedom of information|Complaints|Consultations|Petitions|"
     "Data protection|Jobs at the council|Contact the council", "meeting"),
]
TOWN_A = "Kestrel Heron Ash Oak Mill Bridge Thorn Wil Brack Stan Marl Elm Fen Hart Lark " \
    "Rook Cran Wren Alder Birch Holly Rush Sedge Hazel Crow Swan Otter Beck".split()
TOWN_B = "ford ton by ham field wick stead bury well moor combe leigh thorpe hurst dale".split()
STREET_TYPES = "Road Lane Close Avenue Way Street Crescent Drive Gardens Grove Rise Walk".split()
FIRST = "Alice Ben Chloe David Emma Farid Grace Hassan Isla James Kiran Laura Mohammed Nia " \
    "Owen Priya Rachel Sam Tariq Uma Victor Wendy Yusuf Zoe".split()
LAST = "Ahmed Baker Clarke Davies Evans Fisher Green Hughes Iqbal Jones Khan Lewis Morgan " \
    "Nolan Patel Quinn Roberts Singh Taylor Walsh Wright Young".split()
DAYS = "Monday Tuesday Wednesday Thursday Friday".split()
COMMITTEES = "Cabinet|Full Council|Planning Committee|Licensing Committee|Scrutiny Committee|" \
    "Audit Committee|Health and Wellbeing Board|Housing Panel".split("|")
NEWS = "opens|reopens|wins award for|consults on|extends|launches|changes|invests in|" \
    "reminds residents about|celebrates".split("|")
HEADINGS = "Who can apply|How to apply|What you need|How much it costs|How long it takes|" \
    "After you apply|If you disagree with a decision|Opening hours|Contact us|Before you start|" \
    "What happens next|Help with costs|Accessibility|Eligibility|Documents you need|" \
    "Changes this year|Frequently asked questions|Your rights|Deadlines|Getting there".split("|")
VERBS = "apply|register|pay|book|report|request|renew|cancel|check|update".split("|")
WHEN = "within 5 working days|within 10 working days|within 2 weeks|within 8 weeks|" \
    "by the end of the month|on the same day|within 48 hours|within 21 days".split("|")
WHO = "residents|tenants|landlords|businesses|carers|parents|pensioners|students|" \
    "community groups|visitors".split("|")
SENTENCES = [
    "You can {verb} for {noun} online at any time, or by phone on {phone}.",
    "Most requests about {noun} are dealt with {when}.",
    "{Who} in {place} should contact the {team} team if their circumstances change.",
    "If you need help to {verb}, call {phone} between {open} and {close}, {day} to Friday.",
    "The charge for {noun} is £{fee} a year from 1 April {year}.",
    "We will write to you {when} to tell you what happens next.",
    "Bring proof of your address, such as a utility bill dated in the last {months} months.",
    "You cannot {verb} for {noun} if you already receive help from another council.",
    "The {team} team covers every ward in the borough, including {place} and {place2}.",
    "From {month} {year}, {noun} will be handled by our customer service centre in {place}.",
    "Appointments at {place} Civic Centre are available on {day} mornings.",
    "Email {email} with your reference number and a daytime phone number.",
    "We aim to answer {pct}% of enquiries about {noun} {when}.",
    "If you are deaf or hard of hearing you can text us on {mobile}.",
    "There is no charge for {who} on a low income, and a reduced fee of £{fee2} for others.",
    "Keep your reference number: you will need it if you contact us about {noun} again.",
    "Last year we handled {count} requests for {noun}, up {pct2}% on the year before.",
    "Some {who} may qualify for extra support; ask the {team} team when you {verb}.",
    "Payments can be made by debit card, Direct Debit or at any post office in {place}.",
    "Paper forms are available from {place} library and the Civic Centre reception.",
    "Please allow {weeks} weeks before chasing {noun}, as we deal with requests in order.",
    "A decision about {noun} can be reviewed if you ask within {weeks} weeks of the letter.",
    "The service is closed on bank holidays and reopens the next working day at {open}.",
    "Our officers may visit your home in {place} to check the details you gave us.",
    "Changes agreed by {committee} in {month} {year} apply to {noun} from this autumn.",
    "We share information about {noun} only where the law allows, as our privacy notice says.",
    "Residents of {street} and nearby roads have their own arrangements for {noun}.",
    "If your request about {noun} is urgent, say so and we will call you back {when}.",
    "There were {count} {who} on the waiting list for {noun} in {month} {year}.",
    "Online accounts let you track {noun} and see letters we have sent you.",
]
STEPS = [
    "Check that you are eligible", "Gather your documents", "Fill in the online form",
    "Pay the fee by card", "Upload photos or evidence", "Wait for our email",
    "Book an appointment if asked", "Keep your reference number", "Tell us about any changes",
    "Read the guidance notes", "Sign the declaration", "Choose a date that suits you",
]
TEAMS = "customer services|revenues|waste and recycling|planning|parking services|" \
    "housing options|library|admissions|licensing|highways|adult care|environmental health|" \
    "benefits|registration|democratic services".split("|")
MONTHS = "January February March April May June July August September October November " \
    "December".split()


@dataclass
class PageSpec:
    path: str  # relative, e.g. services/bins/missed-bin-collections.html
    title: str
    service: int  # index into SERVICES
    parent: int | None  # index of the parent page in the site's list
    kind: str  # home, hub, sub, listing, item
    lastmod: datetime = NOW
    children: list[int] = field(default_factory=list)


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def town(rng: random.Random) -> str:
    return rng.choice(TOWN_A) + rng.choice(TOWN_B)


def plan(pages: int, seed: int) -> list[PageSpec]:
    """The site's pages in an order where every parent comes before its children, so the first
    ``pages`` of them are a whole site (every page reachable from the home page)."""
    rng = random.Random(seed)
    out = [PageSpec("index.html", "Kestrelford Borough Council", 0, None, "home")]
    for i, (s, name, *_rest) in enumerate(SERVICES):
        out.append(PageSpec(f"services/{s}/index.html", name, i, 0, "hub"))
    hubs = {i: i + 1 for i in range(len(SERVICES))}
    subs = [(i, t) for i, svc in enumerate(SERVICES) for t in svc[3].split("|")]
    rng.shuffle(subs)
    for i, title in subs:
        out.append(PageSpec(f"services/{SERVICES[i][0]}/{slug(title)}.html", title, i,
                            hubs[i], "sub"))
    counts, listings = [0] * len(SERVICES), [0] * len(SERVICES)
    listing = dict[int, int]()
    used: set[str] = {p.path for p in out}
    while len(out) < pages:
        i = len(out) % len(SERVICES)
        kind, svc = SERVICES[i][4], SERVICES[i][0]
        kinds = kind[:-1] + "ies" if kind.endswith("y") else kind + "s"
        if counts[i] % PER_LISTING == 0 and listings[i] == counts[i] // PER_LISTING:
            listings[i] += 1
            listing[i] = len(out)
            out.append(PageSpec(f"{svc}/{kinds}/page-{listings[i]}.html",
                                f"{SERVICES[i][1]}: {kinds.replace('-', ' ')}, page "
                                f"{listings[i]}", i, hubs[i], "listing"))
            continue
        counts[i] += 1
        title = item_title(kind, rng, counts[i])
        path = f"{svc}/{kinds}/{slug(title)}.html"
        if path in used:
            path = path.replace(".html", f"-{counts[i]}.html")
        used.add(path)
        out.append(PageSpec(path, title, i, listing[i], "item"))
    out = out[:pages]
    for n, page in enumerate(out):
        page.lastmod = NOW - timedelta(days=rng.randint(0, 1100), seconds=rng.randint(0, 86399))
        if page.parent is not None:
            out[page.parent].children.append(n)
    return out


def item_title(kind: str, rng: random.Random, n: int) -> str:
    place, street = town(rng), f"{rng.choice(TOWN_A)} {rng.choice(STREET_TYPES)}"
    return {
        "ward": f"Bin collections in {place} ward",
        "band": f"Council Tax charges {2015 + n % 12}/{16 + n % 12}: {place} parish",
        "application": f"Planning application {24 + n % 3}/{n:05d}/FUL: {n % 90 + 1} {street}",
        "car-park": f"{place} {rng.choice(['Central', 'Station', 'Market', 'Leisure'])} car park",
        "estate": f"{place} {rng.choice(['Court', 'Estate', 'House', 'Towers'])} housing",
        "library": f"{place} library",
        "school": f"{place} {rng.choice(['Primary', 'Infant', 'Junior', 'Academy', 'High'])} "
                  "School",
        "licence": f"Premises licence {n:05d}: {rng.choice(LAST)}'s, {street}",
        "scheme": f"Roadworks and improvements on {street}, {place}",
        "provider": f"{rng.choice(LAST)} {rng.choice(['Care', 'Homecare', 'Lodge'])}, {place}",
        "park": f"{place} {rng.choice(['Park', 'Common', 'Green', 'Meadows'])}",
        "centre": f"{place} community support centre",
        "venue": f"Ceremonies at {rng.choice(LAST)} {rng.choice(['Hall', 'Manor', 'House'])}",
        "meeting": f"{rng.choice(COMMITTEES)}, {rng.randint(1, 28)} {rng.choice(MONTHS)} "
                   f"{2019 + n % 8}",
    }[kind]


def sentence(rng: random.Random, noun: str, place: str) -> str:
    text = rng.choice(SENTENCES).format(
        verb=rng.choice(VERBS), noun=noun, when=rng.choice(WHEN), Who=rng.choice(WHO).title(),
        who=rng.choice(WHO), place=place, place2=town(rng), team=rng.choice(TEAMS),
        phone=f"01632 {rng.randint(100000, 999999)}", mobile=f"07700 {rng.randint(900000, 999999)}",
        open=f"{rng.choice([8, 9])}:{rng.choice(['00', '30'])}am",
        close=f"{rng.choice([4, 5])}:{rng.choice(['00', '30'])}pm", day=rng.choice(DAYS[:2]),
        fee=f"{rng.randint(20, 400)}.{rng.choice(['00', '50', '25'])}", fee2=rng.randint(5, 60),
        year=rng.randint(2019, 2027), months=rng.choice([3, 6]), month=rng.choice(MONTHS),
        email=f"{rng.choice(TEAMS).split()[0]}@kestrelford.gov.uk", pct=rng.randint(70, 98),
        pct2=rng.randint(2, 30), count=f"{rng.randint(120, 9800):,}", weeks=rng.randint(2, 12),
        committee=rng.choice(COMMITTEES), street=f"{rng.choice(TOWN_A)} {rng.choice(STREET_TYPES)}")
    return text[0].upper() + text[1:]


def body(spec: PageSpec, rng: random.Random) -> tuple[str, int]:
    """The main content's HTML and its word count."""
    svc = SERVICES[spec.service]
    noun, place = svc[2], town(rng)
    if spec.kind in ("home", "hub", "listing"):
        target = rng.randint(120, 260)
    else:
        target = int(min(2200, max(220, rng.lognormvariate(6.5, 0.45))))  # median ~665
    parts, words = [], 0

    def para() -> str:
        return " ".join(sentence(rng, noun, place) for _ in range(rng.randint(2, 5)))

    intro = para()
    parts.append(f"<p class=\"lead\">{html.escape(intro)}</p>")
    words += len(intro.split())
    headings = rng.sample(HEADINGS, len(HEADINGS))
    while words < target and headings:
        head = headings.pop()
        parts.append(f"<h2 id=\"{slug(head)}\">{head}</h2>")
        for _ in range(rng.randint(1, 3)):
            text = para()
            parts.append(f"<p>{html.escape(text)}</p>")
            words += len(text.split())
        extra = rng.random()
        if head == "Opening hours" or extra < 0.12:
            rows = "".join(f"<tr><td>{d}</td><td>{rng.choice([8, 9, 10])}am to "
                           f"{rng.choice([4, 5, 6, 7])}pm</td></tr>" for d in DAYS)
            parts.append(f"<table><caption>{html.escape(place)} opening hours</caption>"
                         f"<tr><th>Day</th><th>Hours</th></tr>{rows}</table>")
            words += 25
        elif extra < 0.30:
            steps = rng.sample(STEPS, rng.randint(3, 6))
            parts.append("<ol>" + "".join(f"<li>{s}.</li>" for s in steps) + "</ol>")
            words += sum(len(s.split()) for s in steps)
        elif extra < 0.42:
            rows = "".join(f"<tr><td>{html.escape(rng.choice(svc[3].split('|')))}</td>"
                           f"<td>£{rng.randint(10, 900)}</td></tr>" for _ in range(4))
            parts.append(f"<table><tr><th>Service</th><th>Fee {rng.randint(2024, 2027)}</th>"
                         f"</tr>{rows}</table>")
            words += 20
        elif extra < 0.50:
            parts.append(f"<form action=\"/search/\"><label>Your postcode <input name=\"q\">"
                         f"</label><button>Find {html.escape(noun)}</button></form>")
        elif extra < 0.60:
            parts.append(f"<p>Phone: 01632 {rng.randint(100000, 999999)}<br>Email: "
                         f"{svc[0]}@kestrelford.gov.uk<br>{rng.randint(1, 99)} "
                         f"{rng.choice(TOWN_A)} {rng.choice(STREET_TYPES)}, {place}</p>")
            words += 12
    return "\n".join(parts), words


def render(site: list[PageSpec], n: int, rng: random.Random) -> str:
    spec = site[n]
    depth = spec.path.count("/")
    root = "../" * depth

    def href(i: int) -> str:
        return root + site[i].path

    def link(i: int) -> str:
        return f"<a href=\"{href(i)}\">{html.escape(site[i].title)}</a>"

    menu = "".join(f"<li>{link(i)}</li>" for i in range(1, min(len(site), len(SERVICES) + 1)))
    crumbs: list[str] = []
    up = spec.parent
    while up is not None:
        crumbs.insert(0, f"<li>{link(up)}</li>")
        up = site[up].parent
    main, _words = body(spec, rng)
    if spec.children:
        main += "\n<h2 id=\"in-this-section\">In this section</h2><ul>" + "".join(
            f"<li>{link(c)}</li>" for c in spec.children) + "</ul>"
    near = [i for i in range(max(1, n - 30), min(len(site), n + 30))
            if i != n and site[i].service == spec.service]
    related = "".join(f"<li>{link(i)}</li>" for i in rng.sample(near, min(5, len(near))))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(spec.title)} | Kestrelford \
Borough Council</title><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header"><a href="{root}index.html">Kestrelford Borough Council</a>
<nav aria-label="Services"><ul>{menu}</ul></nav></header>
<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>{"".join(crumbs)}</ol></nav>
<main id="main"><h1>{html.escape(spec.title)}</h1>
{main}
<p class="updated">Last updated: {spec.lastmod:%d %B %Y}</p></main>
<aside><h2>Related pages</h2><ul>{related}</ul></aside>
<footer class="site-footer"><ul><li><a href="{href(0)}">Home</a></li>
<li>Kestrelford Borough Council, Civic Centre, Kestrelford KF1 1AA</li>
<li>Phone 01632 960000</li></ul></footer></body></html>
"""
    return page


def build_site(out: Path, base_url: str, pages: int = 10_000, seed: int = 19) -> list[PageSpec]:
    """Write the site into ``out`` (made if missing) for ``base_url``; returns its pages."""
    base = base_url.rstrip("/")
    rng = random.Random(seed)
    site = plan(pages, seed)
    for n, spec in enumerate(site):
        path = out / spec.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(site, n, rng), "utf-8")
        stamp = spec.lastmod.timestamp()
        os.utime(path, (stamp, stamp))  # served as its Last-Modified
    urls = [f"  <url><loc>{base}/{s.path}</loc><lastmod>{s.lastmod:%Y-%m-%dT%H:%M:%S+00:00}"
            "</lastmod></url>\n" for s in site]
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    if len(urls) <= PER_SITEMAP:
        (out / "sitemap.xml").write_text(f"{head}<urlset {ns}>\n{''.join(urls)}</urlset>\n")
    else:
        names = []
        for k in range(0, len(urls), PER_SITEMAP):
            name = f"sitemap-{k // PER_SITEMAP + 1}.xml"
            names.append(name)
            (out / name).write_text(f"{head}<urlset {ns}>\n{''.join(urls[k:k + PER_SITEMAP])}"
                                    "</urlset>\n")
        entries = "".join(f"  <sitemap><loc>{base}/{name}</loc><lastmod>{NOW:%Y-%m-%d}</lastmod>"
                          "</sitemap>\n" for name in names)
        (out / "sitemap.xml").write_text(f"{head}<sitemapindex {ns}>\n{entries}</sitemapindex>\n")
    (out / "robots.txt").write_text(f"User-agent: *\nDisallow: /search/\n\n"
                                    f"Sitemap: {base}/sitemap.xml\n")
    return site


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.scalesite",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=19)
    args = ap.parse_args()
    began = time.monotonic()
    site = build_site(args.out, args.base_url, args.pages, args.seed)
    print(f"{len(site)} pages in {args.out} in {time.monotonic() - began:.1f} s")


if __name__ == "__main__":
    main()
