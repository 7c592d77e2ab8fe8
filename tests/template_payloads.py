"""Templates an admin could send to stop or bloat the bot (issue 17): each must be refused, fast and small.

Each row: a name for what the payload does, the answer template, and the reason the refusal must give.
Shared by tests/test_admin.py (refused at preview, timed, memory watched) and benchmarks/bench_templates.py.
"""

from __future__ import annotations

WORK = "too much work"
LONG = "output too long"
BIG = "{% set s = 'x' * 15000 %}"  # the longest text a template may build is 20,000 characters

PAYLOADS: list[tuple[str, str, str]] = [
    # loops
    (
        "three nested loops of a thousand",
        "{% for i in range(1000) %}{% for j in range(1000) %}"
        "{% for k in range(1000) %}x{% endfor %}{% endfor %}{% endfor %}",
        WORK,
    ),
    (
        "nested loops that print nothing",
        "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}ok",
        WORK,
    ),
    (
        "nested loops over repeated lists",
        "{% for i in [1] * 3000 %}{% for j in [1] * 3000 %}{% endfor %}{% endfor %}ok",
        WORK,
    ),
    (
        "loop.cycle a million times",
        "{% for i in range(1000) %}{% for j in range(1000) %}{{ loop.cycle('a', 'b') }}{% endfor %}{% endfor %}",
        WORK,
    ),
    (
        "a loop that joins a range each turn",
        "{% for i in range(1000) %}{{ range(1000) | join(',') }}{% endfor %}",
        WORK,
    ),
    (
        "a loop that doubles a text",
        "{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
        LONG,
    ),
    (
        "a loop that squares a number",
        "{% set ns = namespace(n=3) %}{% for i in range(60) %}{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n }}",
        WORK,
    ),
    (
        "a loop of slow filters",
        "{% set s = 'ab ' * 6000 %}{% for i in range(1000) %}{% for j in range(100) %}"
        "{{ s | wordcount }}{% endfor %}{% endfor %}",
        WORK,
    ),
    (
        "a loop of long literal text",
        "{% for i in range(1000) %}{% for j in range(1000) %}" + "z" * 2000 + "{% endfor %}{% endfor %}",
        WORK,
    ),
    (
        "a loop filtering with if",
        "{% for i in range(1000) if i > 0 %}{% for j in range(1000) if j %}{% endfor %}{% endfor %}ok",
        WORK,
    ),
    (
        "a for loop in a macro",
        "{% macro f() %}{% for i in range(1000) %}{% for j in range(1000) %}x{% endfor %}"
        "{% endfor %}{% endmacro %}{{ f() }}",
        WORK,
    ),
    # huge ranges
    ("range of a hundred thousand", "{% for i in range(100000) %}x{% endfor %}", WORK),
    ("range of 10**18", "{{ range(10 ** 18) | length }}", WORK),
    ("range of a googol", "{{ range(10 ** 100) | first }}", WORK),
    ("a huge range as a list", "{{ range(0, 1000000000, 1) | list | length }}", WORK),
    ("lipsum of a hundred thousand paragraphs", "{{ lipsum(100000) }}", WORK),
    ("lipsum of huge paragraphs", "{{ lipsum(5, max=100000000) }}", WORK),
    ("batch with a huge count", "{{ [1] | batch(1000000000, 'x') | list }}", WORK),
    ("slice into a billion columns", "{{ range(10) | slice(1000000000) | list }}", WORK),
    # numbers
    ("a tower of powers", "{{ 9 ** 64 ** 64 ** 64 }}", WORK),
    ("two to the billion", "{{ 2 ** (10 ** 9) }}", WORK),
    (
        "a product of huge numbers",
        "{{ (10 ** 1000) * (10 ** 1000) * (10 ** 1000) * (10 ** 1000) * (10 ** 1000) }}",
        WORK,
    ),
    ("round to a billion digits", "{{ 1.5 | round(1000000000, 'ceil') }}", WORK),
    # format widths
    ("str.format width", "{{ '{0:>2000000000}'.format(1) }}", LONG),
    ("str.format precision", "{{ '{:.2000000000f}'.format(1.5) }}", LONG),
    ("str.format width given as a field", "{{ '{0:>{1}}'.format(1, 2000000000) }}", LONG),
    ("str.format_map width", "{{ '{a:>2000000000}'.format_map({'a': 1}) }}", LONG),
    ("a date format width", "{{ '{:%2000000000Y}'.format(now) }}", LONG),
    ("percent width", "{{ '%2000000000d' % 1 }}", LONG),
    ("percent precision", "{{ '%.2000000000f' % 1.5 }}", LONG),
    ("percent width as a star", "{{ '%*d' % (2000000000, 1) }}", LONG),
    ("percent width after a key", "{{ '%(a)2000000000s' % {'a': 1} }}", LONG),
    ("the format filter's width", "{{ '%2000000000d' | format(1) }}", LONG),
    ("the format filter repeating a long text", BIG + "{{ '%s%s%s' | format(s, s, s) }}", LONG),
    ("center filter", "{{ 'a' | center(2000000000) }}", LONG),
    ("center method", "{{ 'a'.center(2000000000) }}", LONG),
    ("ljust method", "{{ 'a'.ljust(2000000000) }}", LONG),
    ("rjust method", "{{ 'a'.rjust(2000000000) }}", LONG),
    ("zfill method", "{{ '1'.zfill(2000000000) }}", LONG),
    ("expandtabs method", "{{ '\\t'.expandtabs(2000000000) }}", LONG),
    ("to_bytes method", "{{ (1).to_bytes(2000000000, 'big') }}", LONG),
    ("strftime width", "{{ now.strftime('%2000000000Y') }}", LONG),
    ("indent filter width", "{{ 'x' | indent(2000000000) }}", LONG),
    ("indent of many lines", "{{ ('x\\n' * 9000) | indent(100) }}", LONG),
    ("wordwrap width", "{{ 'x' | wordwrap(2000000000) }}", LONG),
    ("wordwrap with a long wrap text", "{{ ('a ' * 5000) | wordwrap(1, wrapstring='x' * 1000) }}", LONG),
    ("truncate length", "{{ 'x' | truncate(2000000000) }}", LONG),
    ("filter block with a width", "{% filter center(2000000000) %}x{% endfilter %}", LONG),
    ("a method reached through attr", "{{ ('x' | attr('center'))(2000000000) }}", LONG),
    ("a safe text's center", "{{ ('x' | safe).center(2000000000) }}", LONG),
    ("tojson indent", "{{ range(1000) | list | tojson(2000000000) }}", LONG),
    # string growth
    ("string times a billion", "{{ 'a' * 10 ** 9 }}", LONG),
    ("list times a billion", "{{ ['a'] * 10 ** 9 }}", LONG),
    ("a long text doubled with ~", BIG + "{{ s ~ s }}", LONG),
    ("a long text doubled with +", BIG + "{{ s + s }}", LONG),
    ("a list of copies joined", BIG + "{{ [s, s, s, s, s, s, s, s] | join }}", LONG),
    ("a list of copies printed", BIG + "{{ [s, s, s, s, s, s, s, s] }}", LONG),
    ("a list of copies as text", BIG + "{{ [s, s, s, s, s, s, s, s] | string }}", LONG),
    ("replace filter growing a text", BIG + "{{ s | replace('x', s) }}", LONG),
    ("replace method growing a text", BIG + "{{ s.replace('x', s) }}", LONG),
    ("replace of the empty string", BIG + "{{ s | replace('', 'yy') }}", LONG),
    ("str.join of long separators", BIG + "{{ s.join(range(1000) | map('string')) }}", LONG),
    ("join with a long separator", "{{ ('x' * 15000) | list | join('xxxxxxxx') }}", LONG),
    ("a map of wide centers", "{{ range(1000) | map('center', 1000) | join }}", WORK),
    ("a map of wide centers as a list", "{{ range(1000) | map('center', 1000) | list }}", WORK),
    ("escaping a long text", "{{ ('<' * 15000) | e }}", LONG),
    ("percent with copies", BIG + "{{ '%s%s%s' % (s, s, s) }}", LONG),
    ("str.format with copies", BIG + "{{ '{0}{0}{0}{0}'.format(s) }}", LONG),
    ("dict.fromkeys of copies", BIG + "{{ dict.fromkeys(range(1000), s) }}", LONG),
    ("a table's values of copies", BIG + "{{ dict(a=s, b=s, c=s).values() }}", LONG),
    ("sorting copies regardless of case", BIG + "{{ [s, s, s, s, s, s, s, s] | select | sort | first }}", LONG),
    ("percent on bytes", "{{ '%2000000000d'.encode() % 1 }}", LONG),
    ("sum of lists", "{{ [[1] * 1000] * 20 | sum(start=[]) }}", WORK),
    ("slices of a long text", BIG + "{{ [s[1:], s[2:], s[3:], s[4:], s[5:], s[6:]] }}", LONG),
    # recursion
    ("a macro calling itself", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", WORK),
    ("a macro calling itself twice", "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}", WORK),
    (
        "a macro tree two to the 25",
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(25) }}x",
        WORK,
    ),
    ("a recursive loop", "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}", WORK),
    ("a recursive loop over ranges", "{% for x in range(1000) recursive %}{{ loop(range(1000)) }}{% endfor %}", WORK),
    (
        "a call block calling back",
        "{% macro f() %}{{ caller() }}{% endmacro %}"
        "{% macro g() %}{% call f() %}{{ g() }}{% endcall %}{% endmacro %}{{ g() }}",
        WORK,
    ),
    ("a block calling itself", "{% block a %}{{ self.a() }}{% endblock %}", WORK),
    ("parentheses nested a thousand deep", "{{ " + "(" * 1000 + "1" + ")" * 1000 + " }}", WORK),
    ("lists nested a thousand deep", "{{ " + "[" * 1000 + "]" * 1000 + " }}", WORK),
    ("loops nested thirty deep", "{% for i in range(2) %}" * 30 + "x" + "{% endfor %}" * 30, WORK),
    ("minus signs a thousand deep", "{{ " + "-" * 1500 + "1 }}", WORK),
]
