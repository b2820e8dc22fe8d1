"""dom.py DOM GREETING2 GREETING3: the dashboard as Chromium rendered it shows
the server table (not "Loading"), mx2 and mx3 down with their hostile
greetings as text, and no element but the page's own script."""
import sys
from html.parser import HTMLParser

dom = open(sys.argv[1], encoding='utf-8').read()
want = {'inbound-mx2': sys.argv[2], 'inbound-mx3': sys.argv[3]}


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.rows, self.cur, self.tags = 0, {}, None, set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if tag == 'script':
            self.scripts += 1
        if tag == 'tr' and (a.get('id') or '').startswith('srv-'):
            self.cur = a['id'][4:]
            self.rows[self.cur] = {'class': a.get('class', ''), 'text': ''}

    def handle_endtag(self, tag):
        if tag == 'tr':
            self.cur = None

    def handle_data(self, data):
        if self.cur:
            self.rows[self.cur]['text'] += data


p = Page()
p.feed(dom)
print('rows:', {k: (v['class'], ' '.join(v['text'].split())[-90:])
                for k, v in p.rows.items()})
print('script elements:', p.scripts)
assert 'Loading' not in dom, 'the page is stuck at "Loading"'
assert set(p.rows) == {'inbound-mx1', 'inbound-mx2', 'inbound-mx3'}, p.rows
assert p.scripts == 1, 'an injected script element: %d' % p.scripts
assert 'alert' not in ''.join(t for t in p.tags), p.tags
for k, reason in want.items():
    r = p.rows[k]
    assert r['class'] == 'down', (k, r)
    # the probe's reason is "greeting 554: <the rest of the line>"
    assert reason[4:] in r['text'], (k, reason, r['text'])
