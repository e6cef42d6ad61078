// One small stylesheet, served at /assets/console.css: system fonts, readable sizes, status colours
// that always sit beside words (never colour alone), and a layout that folds to one column on a phone.
export const CONSOLE_CSS = `
:root{--ink:#14171f;--muted:#5a6172;--line:#d9dde5;--bg:#f6f7f9;--card:#fff;--accent:#1f4fd1;
--ok:#11693a;--ok-bg:#e3f4ea;--bad:#a3161f;--bad-bg:#fbe6e7;--warn:#7a4a00;--warn-bg:#fdf0d6;--info-bg:#e6edfb}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:2}
header.top{background:#10131a;color:#fff}
header.top .bar{max-width:72rem;margin:auto;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.75rem 1rem}
header.top a{color:#fff;text-decoration:none}
header.top .brand{font-weight:700;letter-spacing:.02em;margin-right:auto}
header.top nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0}
header.top nav a[aria-current=page]{text-decoration:underline;text-underline-offset:.3em}
header.top .who{font-size:.875rem;color:#c9cfdb}
header.top form{display:inline}
main{max-width:72rem;margin:auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.6rem;margin:.25rem 0 1rem}h1 code{font-size:1.4rem}.card>h2:first-child{margin-top:0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem 1.25rem;margin:0 0 1rem}
table{width:100%;border-collapse:collapse;background:var(--card)}
th,td{text-align:left;padding:.55rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:.5rem}
code,pre{font:.875rem/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
/* Digests, ids and resource paths are long unbroken words: they wrap rather than widen a phone's page. */
p code,h1 code,dd code{overflow-wrap:anywhere}h1{overflow-wrap:anywhere}
pre{background:#0f1320;color:#e8ebf3;padding:.75rem;border-radius:.4rem;overflow:auto;max-height:24rem}
.status{display:inline-block;font-size:.8rem;font-weight:600;padding:.1rem .55rem;border-radius:999px;border:1px solid currentColor;white-space:nowrap}
.s-pending{color:var(--warn);background:var(--warn-bg)}.s-approved,.s-allowed,.s-ok{color:var(--ok);background:var(--ok-bg)}
.s-denied,.s-blocked,.s-bad{color:var(--bad);background:var(--bad-bg)}.s-expired,.s-cancelled{color:var(--muted);background:#eceef2}
.muted{color:var(--muted)}.small{font-size:.875rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
.grid{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:1rem}
@media (max-width:48rem){.grid{grid-template-columns:minmax(0,1fr)}dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.4rem}}
.alert{border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem;border:1px solid}
.alert.error{background:var(--bad-bg);color:var(--bad);border-color:var(--bad)}
.alert.info{background:var(--info-bg);border-color:var(--accent)}
.alert.success{background:var(--ok-bg);color:var(--ok);border-color:var(--ok)}
.alert.warn{background:var(--warn-bg);color:var(--ink);border:2px solid var(--bad)}.alert.warn ul{margin:.25rem 0 0}
.field-error{color:var(--bad);font-weight:600;margin:.25rem 0 0}
form.inline{display:inline}
label{display:block;font-weight:600;margin:.5rem 0 .25rem}
input[type=text],input[type=email],input[type=number],input[type=datetime-local],select,textarea{width:100%;max-width:32rem;font:inherit;padding:.45rem .55rem;border:1px solid #9aa1b1;border-radius:.35rem;background:#fff}
textarea{min-height:4.5rem}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end}.filters>div{flex:1 1 12rem}
button,.button{font:inherit;font-weight:600;padding:.5rem 1rem;border-radius:.4rem;border:1px solid #9aa1b1;background:#fff;color:var(--ink);cursor:pointer;text-decoration:none;display:inline-block}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.approve{background:var(--ok);border-color:var(--ok);color:#fff}
button.deny{background:var(--bad);border-color:var(--bad);color:#fff}
header.top button{background:transparent;color:#fff;border-color:#5a6172;padding:.2rem .6rem;font-size:.875rem}
.actions{display:flex;flex-wrap:wrap;gap:1rem}.actions form{flex:1 1 16rem}
ol.timeline{list-style:none;padding:0;margin:0}ol.timeline li{padding:.4rem 0;border-bottom:1px solid var(--line)}
.secret{background:var(--warn-bg);border:1px solid var(--warn);padding:.75rem;border-radius:.4rem;overflow-wrap:anywhere}
.empty{padding:2rem;text-align:center;color:var(--muted)}
`;
