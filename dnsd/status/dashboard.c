/* dashboard.c - the status dashboard page (inline HTML, CSS, JS and SVG).
 * Strings in the page use single quotes so that this file stays readable. */
#include <stdlib.h>
#include <string.h>

#include "dnsd/status/dashboard.h"

static const char dash_head[] =
"<!doctype html>\n"
"<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
"<title>mxspread status</title>\n"
"<style>\n"
":root{--bg:#f5f6f8;--card:#fff;--fg:#1d2330;--mute:#667085;--line:#e3e6eb;--up:#1a7f37;--upbg:#dcf5e3;--down:#c62828;--downbg:#fde2e1;--warn:#9a6700;--warnbg:#fff1c2;--tgt:#3b6fd8;--obs:#8e5bd6}\n"
"*{box-sizing:border-box}\n"
"body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\n"
"header{background:#1d2330;color:#fff;padding:12px 20px;display:flex;flex-wrap:wrap;gap:8px 20px;align-items:center}\n"
"header h1{font-size:18px;margin:0;font-weight:600}\n"
"header .meta{color:#c7cdd8;font-size:13px}\n"
"main{padding:16px 20px;max-width:1400px;margin:0 auto}\n"
".card{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:0 0 16px;overflow:hidden}\n"
".card h2{font-size:16px;margin:0;padding:10px 14px;border-bottom:1px solid var(--line);display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center}\n"
".card h2 .sub{font-weight:400;color:var(--mute);font-size:13px}\n"
"table{width:100%;border-collapse:collapse}\n"
"th,td{padding:7px 10px;text-align:left;border-bottom:1px solid var(--line);vertical-align:middle}\n"
"th{font-size:12px;color:var(--mute);font-weight:600;text-transform:uppercase;letter-spacing:.03em;background:#fafbfc}\n"
"tr:last-child td{border-bottom:0}\n"
"tr.down td:first-child{border-left:4px solid var(--down)}\n"
"tr.up td:first-child{border-left:4px solid var(--up)}\n"
"tr.off td:first-child{border-left:4px solid var(--warn)}\n"
".pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}\n"
".pill.up,.pill.ok{background:var(--upbg);color:var(--up)}\n"
".pill.down,.pill.expired{background:var(--downbg);color:var(--down)}\n"
".pill.drain,.pill.maint,.pill.degraded,.pill.unknown,.pill.warning{background:var(--warnbg);color:var(--warn)}\n"
".pill.enabled{background:#eef1f5;color:var(--mute)}\n"
".name{font-weight:600}\n"
".addr{color:var(--mute);font-size:12px;word-break:break-all}\n"
".bars{min-width:150px}\n"
".bar{display:flex;align-items:center;gap:6px;font-size:12px;color:var(--mute)}\n"
".bar .t{flex:1;height:8px;background:#eef1f5;border-radius:4px;overflow:hidden;min-width:60px}\n"
".bar .f{height:100%}\n"
".bar.tg .f{background:var(--tgt)}\n"
".bar.ob .f{background:var(--obs)}\n"
".bar span.v{width:46px;text-align:right;font-variant-numeric:tabular-nums}\n"
".reason{color:var(--down)}\n"
".note{color:var(--mute);font-size:12px}\n"
".num{font-variant-numeric:tabular-nums;white-space:nowrap}\n"
"svg{display:block}\n"
".kv{display:flex;flex-wrap:wrap;gap:6px 18px;padding:10px 14px;font-size:13px}\n"
".kv b{font-weight:600}\n"
"#err{display:none;background:var(--downbg);color:var(--down);padding:8px 20px;font-weight:600}\n"
".legend{font-size:12px;color:var(--mute);padding:6px 14px 10px}\n"
".legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px;vertical-align:-1px}\n"
"@media (max-width:760px){\n"
" main{padding:10px}\n"
" thead{display:none}\n"
" table,tbody,tr,td{display:block;width:100%}\n"
" tr{border-bottom:1px solid var(--line);padding:6px 0}\n"
" td{border:0;padding:3px 12px;display:flex;gap:10px;align-items:center}\n"
" td::before{content:attr(data-l);flex:0 0 88px;font-size:11px;color:var(--mute);text-transform:uppercase}\n"
" tr.down td:first-child,tr.up td:first-child,tr.off td:first-child{border-left:0}\n"
" tr.down{border-left:4px solid var(--down)}\n"
" tr.up{border-left:4px solid var(--up)}\n"
" tr.off{border-left:4px solid var(--warn)}\n"
" .bars{flex:1}\n"
"}\n"
"</style></head>\n"
"<body>\n"
"<header><h1>mxspread</h1><span id=\"health\" class=\"pill unknown\">&hellip;</span><span class=\"meta\" id=\"meta\"></span></header>\n"
"<div id=\"err\">Status endpoint unreachable: showing the last data received.</div>\n"
"<main id=\"main\"><p class=\"note\">Loading&hellip;</p></main>\n"
"<script>\n"
"var INIT=\n";

static const char dash_tail[] =
";\n"
"(function(){\n"
"'use strict';\n"
"function esc(s){return String(s==null?'':s).replace(/[&<>'\"]/g,function(c){return '&#'+c.charCodeAt(0)+';';});}\n"
"function pct(x){return x==null?'n/a':(x*100).toFixed(1)+'%';}\n"
"function num(x,d){return x==null?'&ndash;':Number(x).toFixed(d);}\n"
"function dur(s){s=Math.max(0,Math.floor(s));var d=Math.floor(s/86400),h=Math.floor(s%86400/3600),m=Math.floor(s%3600/60);\n"
" return d?d+'d '+h+'h':h?h+'h '+m+'m':m?m+'m '+(s%60)+'s':s+'s';}\n"
"function ago(ms,now){return ms?dur((now-ms)/1000)+' ago':'&ndash;';}\n"
"function tstr(sec){if(!sec)return '&ndash;';var d=new Date(sec*1000);return d.toLocaleString();}\n"
"function bar(cls,x,label){var w=x==null?0:Math.max(0,Math.min(1,x))*100;\n"
" return '<div class=\\'bar '+cls+'\\' title=\\''+label+'\\'><div class=t><div class=f style=\\'width:'+w.toFixed(1)+'%\\'></div></div><span class=v>'+pct(x)+'</span></div>';}\n"
"function spark(h){\n"
" var W=140,H=30,n=h.length;if(!n)return '<span class=note>no checks yet</span>';\n"
" var max=1,i,pts=[],dots='',strip='',sw=W/n;\n"
" for(i=0;i<n;i++)if(h[i].ok&&h[i].latency_ms>max)max=h[i].latency_ms;\n"
" for(i=0;i<n;i++){var x=n==1?W/2:i*(W-4)/(n-1)+2;\n"
"  if(h[i].ok)pts.push(x.toFixed(1)+','+(H-14-(h[i].latency_ms/max)*(H-18)+2).toFixed(1));\n"
"  else dots+='<circle cx=\\''+x.toFixed(1)+'\\' cy=\\''+(H-13)+'\\' r=\\'2\\' fill=\\'#c62828\\'/>';\n"
"  strip+='<rect x=\\''+(i*sw).toFixed(2)+'\\' y=\\''+(H-7)+'\\' width=\\''+Math.max(sw-0.5,0.5).toFixed(2)+'\\' height=\\'7\\' fill=\\''+(h[i].ok?'#2da44e':'#c62828')+'\\'/>';}\n"
" var last=h[n-1];\n"
" return '<svg width=\\''+W+'\\' height=\\''+H+'\\' viewBox=\\'0 0 '+W+' '+H+'\\' role=img aria-label=\\'last '+n+' checks\\'><title>last '+n+' checks, max '+max.toFixed(1)+' ms</title>'+\n"
"  (pts.length>1?'<polyline fill=none stroke=\\'#3b6fd8\\' stroke-width=\\'1.5\\' points=\\''+pts.join(' ')+'\\'/>':'')+dots+strip+'</svg>'+\n"
"  '<div class=note>'+(last.ok?num(last.latency_ms,1)+' ms':'failed')+'</div>';}\n"
"function dane(d,why){var bad=d.state==='mismatch'||d.state==='error'||d.state==='no_starttls';\n"
" return '<span class=\\'dane'+(bad?' reason':'')+'\\' data-dane=\\''+esc(d.state)+'\\'>DANE '+esc(d.mode)+': '+esc(d.state)+\n"
"  (d.matched?' '+esc(d.matched):'')+(bad&&d.reason&&d.reason!==why?' &middot; '+esc(d.reason):'')+(d.mismatches?' &middot; '+d.mismatches+' mismatched':'')+'</span>';}\n"
"function why(s,pool){\n"
" var r=[];\n"
" if(s.admin==='drain')r.push('drained by the operator');\n"
" if(s.admin==='maint')r.push('in maintenance (operator)');\n"
" if(s.agent_admin==='drain')r.push('agent asks to drain');\n"
" if(s.agent_admin==='maint')r.push('agent reports maintenance');\n"
" if(s.reason)r.push('<span class=reason>'+esc(s.reason)+'</span>');\n"
" else if(s.health==='down')r.push('<span class=reason>down</span>');\n"
" if(s.slowstart_factor!=null&&s.slowstart_factor<1)r.push('slow start '+pct(s.slowstart_factor));\n"
" if(s.load_factor!=null&&s.load_factor<1)r.push('load factor '+num(s.load_factor,2));\n"
" if(s.dane&&s.dane.mode!=='off')r.push(dane(s.dane,s.reason));\n"
" if(s.cert_days!=null)r.push((s.cert_days<14?'<span class=reason>':'<span>')+'certificate expires in '+s.cert_days+' days</span>');\n"
" return r.length?r.join('<br>'):'<span class=note>&ndash;</span>';}\n"
"function row(p,s,now){\n"
" var cls=s.health==='down'?'down':(s.admin!=='enabled'||s.agent_admin!=='enabled')?'off':s.health==='up'?'up':'off';\n"
" var since=s.since?'since '+ago(s.since,now):'';\n"
" return '<tr id=\\'srv-'+esc(p.name)+'-'+esc(s.name)+'\\' class=\\''+cls+'\\' data-health=\\''+esc(s.health)+'\\'>'+\n"
" '<td data-l=Server><div><div class=name>'+esc(s.name)+'</div><div class=addr>'+esc((s.addresses||[]).join(', '))+'</div></div></td>'+\n"
" '<td data-l=Health><div><span class=\\'pill '+esc(s.health)+'\\'>'+esc(s.health)+'</span><div class=note>'+since+(s.transitions?' &middot; '+s.transitions+(s.transitions==1?' change':' changes'):'')+'</div></div></td>'+\n"
" '<td data-l=Admin><span class=\\'pill '+esc(s.admin)+'\\'>'+esc(s.admin)+'</span></td>'+\n"
" '<td data-l=Weight class=num>'+num(s.eff_weight,2)+' <span class=note>/ '+s.weight+(p.policy==='failover'?' &middot; tier '+s.tier:'')+'</span></td>'+\n"
" '<td data-l=Share class=bars>'+bar('tg',s.target_share,'target share')+(s.observed_share!==undefined?bar('ob',s.observed_share,'observed share'):'<div class=note>observed: n/a</div>')+'</td>'+\n"
" '<td data-l=Load class=num>'+(s.load==null?'<span class=note>&ndash;</span>':num(s.load,0)+'%')+'</td>'+\n"
" '<td data-l=Checks>'+spark(s.history||[])+'</td>'+\n"
" '<td data-l=Reason>'+why(s,p)+'</td></tr>';}\n"
"var ALGS={13:'ECDSAP256SHA256',15:'ED25519'};\n"
"function dsec(z,now){\n"
" var d=z.dnssec,exp=d.expires_in<=0,st=exp?'expired':d.warning?'warning':'ok',k='',y=d.dynamic;\n"
" (d.keys||[]).forEach(function(x){k+='<div><b>'+x.tag+'</b> <span class=note>alg '+x.algorithm+' '+esc(ALGS[x.algorithm]||'')+' &middot; '+esc(x.role)+'</span></div>';});\n"
" return '<tr id=\\'dnssec-'+esc(z.origin)+'\\' class=\\''+(exp?'down':d.warning?'off':'up')+'\\' data-state=\\''+st+'\\'>'+\n"
" '<td data-l=Zone><div><div class=name>'+esc(z.origin)+'</div><span class=\\'pill '+st+'\\'>'+st+'</span></div></td>'+\n"
" '<td data-l=Keys>'+k+'</td>'+\n"
" '<td data-l=Expires class=num><div>'+(exp?'<span class=reason>expired '+dur(-d.expires_in)+' ago</span>':'in '+dur(d.expires_in))+\n"
"  '<div class=note>'+tstr(d.expiration)+' &middot; refresh '+dur(d.refresh)+' before expiry</div></div></td>'+\n"
" '<td data-l=Signed class=num><div>'+ago(d.signed_at*1000,now)+'<div class=note>took '+num(d.sign_ms,1)+' ms'+(d.resign&&d.resign.count?' &middot; '+d.resign.count+' re-signs':'')+'</div></div></td>'+\n"
" '<td data-l=Signatures class=num><div>'+d.signatures+' at load'+(y?'<div class=note>'+(y.signatures!=null?y.signatures+' dynamic ('+y.names+(y.names==1?' name':' names')+', built '+ago(y.built_at*1000,now)+' in '+num(y.build_ms,1)+' ms)':'no dynamic variants yet')+'</div>':'')+'</div></td>'+\n"
" '<td data-l=Warning>'+(d.warning?'<span class=reason>'+esc(d.warning)+'</span>':'<span class=note>&ndash;</span>')+'</td></tr>';}\n"
"function render(S){\n"
" var m=document.getElementById('main'),hb=document.getElementById('health');\n"
" if(!S){m.innerHTML='<p class=note>No state published yet.</p>';return;}\n"
" hb.className='pill '+(S.healthy?'up':'down');hb.textContent=S.healthy?'DNS answering':'DNS not answering';\n"
" var lr=S.last_reload||{},q=S.queries||{};\n"
" document.getElementById('meta').innerHTML='v'+esc(S.version)+' &middot; up '+dur(S.uptime)+\n"
"  ' &middot; loaded '+tstr(S.world_loaded)+(lr.time?' &middot; last reload '+tstr(lr.time)+(lr.ok===false?' <b>FAILED</b>':' ok'):'')+\n"
"  ' &middot; updated '+new Date(S.now).toLocaleTimeString();\n"
" var h='<section class=card><h2>Overview</h2><div class=kv>';\n"
" var zs=S.zones||[],sz=zs.filter(function(z){return z.dnssec&&z.dnssec.signed;});\n"
" zs.forEach(function(z){h+='<span>zone <b>'+esc(z.origin)+'</b> serial '+z.serial+(z.dnssec&&z.dnssec.signed?' &middot; signed':'')+'</span>';});\n"
" h+='<span>queries <b>'+(q.total||0)+'</b> (udp '+(q.udp||0)+', tcp '+(q.tcp||0)+')</span>';\n"
" if(q.by_rcode)h+='<span>NXDOMAIN '+q.by_rcode.NXDOMAIN+' &middot; REFUSED '+q.by_rcode.REFUSED+' &middot; SERVFAIL '+q.by_rcode.SERVFAIL+'</span>';\n"
" if(lr.ok===false&&lr.errors)h+='<span class=reason>reload errors: '+esc(lr.errors)+'</span>';\n"
" sz.forEach(function(z){if(z.dnssec.warning)h+='<span class=reason id=\\'dnssec-warning-'+esc(z.origin)+'\\'>DNSSEC '+esc(z.origin)+': '+esc(z.dnssec.warning)+'</span>';});\n"
" if(S.relay)h+='<span>relay on '+esc(S.relay.listen)+' to pool '+esc(S.relay.pool)+'</span>';\n"
" h+='</div></section>';\n"
" (S.pools||[]).forEach(function(p){\n"
"  h+='<section class=card id=\\'pool-'+esc(p.name)+'\\'><h2>'+esc(p.name)+' <span class=\\'pill '+esc(p.state)+'\\'>'+esc(p.state)+'</span><span class=sub>'+\n"
"   esc(p.policy)+' &middot; '+p.servers_up+'/'+p.servers_total+' serving &middot; probe '+esc(p.probe)+(p.probe!=='none'&&p.probe_interval?' every '+p.probe_interval+'s':'')+\n"
"   (p.load_probe?' &middot; load '+esc(p.load_probe):'')+'</span></h2>'+\n"
"   '<table><thead><tr><th>Server</th><th>Health</th><th>Admin</th><th>Weight</th><th>Share</th><th>Load</th><th>Last checks</th><th>Reason</th></tr></thead><tbody>';\n"
"  (p.servers||[]).forEach(function(s){h+=row(p,s,S.now);});\n"
"  h+='</tbody></table><div class=legend><i style=\\'background:#3b6fd8\\'></i>target share (effective weight / pool total)<i style=\\'background:#8e5bd6\\'></i>observed share of first-preference answers'+(p.share_window?' (last '+p.share_window+'s)':'')+'</div></section>';});\n"
" if(sz.length){var dy=(S.dnssec||{}).dynamic||{};\n"
"  h+='<section class=card id=dnssec><h2>DNSSEC<span class=sub>'+sz.length+(sz.length==1?' signed zone':' signed zones')+\n"
"   (dy.builds?' &middot; dynamic variants built '+dy.builds+' times, last '+ago(dy.last_at*1000,S.now)+' in '+num(dy.last_ms,1)+' ms'+(dy.failures?', <b>'+dy.failures+' failed</b>':''):'')+'</span></h2>'+\n"
"   '<table><thead><tr><th>Zone</th><th>Keys</th><th>Signatures expire</th><th>Last signed</th><th>Signatures</th><th>Warning</th></tr></thead><tbody>';\n"
"  sz.forEach(function(z){h+=dsec(z,S.now);});\n"
"  h+='</tbody></table></section>';}\n"
" m.innerHTML=h;}\n"
"var polls=0;\n"
"function poll(){\n"
" var ctl=window.AbortController?new AbortController():null,t=setTimeout(function(){if(ctl)ctl.abort();},1800);\n"
" fetch('/status.json',{cache:'no-store',signal:ctl?ctl.signal:undefined}).then(function(r){if(!r.ok)throw new Error(r.status);return r.json();})\n"
" .then(function(S){clearTimeout(t);document.getElementById('err').style.display='none';render(S);document.body.setAttribute('data-polls',++polls);})\n"
" .catch(function(){clearTimeout(t);document.getElementById('err').style.display='block';});}\n"
"render(INIT);\n"
"setInterval(poll,2000);\n"
"})();\n"
"</script>\n"
"</body></html>\n";

/*
 * JSON text made inert inside <script>: '<', '>' and '&' become \u003c,
 * \u003e, \u0026 (no "</script>", "<!--" or "<script" can change the HTML
 * parser's state, whatever a probed server said), and U+2028 / U+2029
 * become \u2028 / \u2029 (line terminators to older JavaScript parsers).
 * Outside strings JSON has none of these characters, so every one is in a
 * string, where the escape means the same character.
 */
int
status_dashboard_json(struct evbuffer *b, const char *json)
{
	const char *p, *run;

	for (p = run = json; *p != '\0'; p++) {
		const char *esc = NULL;
		size_t skip = 1;

		if (*p == '<')
			esc = "\\u003c";
		else if (*p == '>')
			esc = "\\u003e";
		else if (*p == '&')
			esc = "\\u0026";
		else if ((unsigned char)p[0] == 0xe2 &&
		    (unsigned char)p[1] == 0x80 &&
		    ((unsigned char)p[2] == 0xa8 || (unsigned char)p[2] == 0xa9)) {
			esc = (unsigned char)p[2] == 0xa8 ? "\\u2028" : "\\u2029";
			skip = 3;
		}
		if (esc == NULL)
			continue;
		if (evbuffer_add(b, run, (size_t)(p - run)) == -1 ||
		    evbuffer_add(b, esc, 6) == -1)
			return -1;
		p += skip - 1;
		run = p + 1;
	}
	return evbuffer_add(b, run, (size_t)(p - run));
}

int
status_dashboard(struct evbuffer *b, const json_t *doc)
{
	char *s = NULL;
	int rc = 0;

	if (doc != NULL)
		s = json_dumps(doc, JSON_COMPACT | JSON_ESCAPE_SLASH);
	if (evbuffer_add(b, dash_head, strlen(dash_head)) == -1 ||
	    status_dashboard_json(b, s != NULL ? s : "null") == -1 ||
	    evbuffer_add(b, dash_tail, strlen(dash_tail)) == -1)
		rc = -1;
	free(s);
	return rc;
}
