/**
 * A page that looks like a cloud console — a portal's top bar, a resource menu and the "Add role
 * assignment" blade — for the documentation's screenshot of the overlay, and for a test that a
 * person's click on it (not a scripted call) is what gets held. Its "Review + assign" button sends
 * the same ARM role-assignment PUT the fixture console's rule names.
 */
export const portalPage = (subscription: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Add role assignment - Azure portal (test fixture)</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; font: 13px/1.45 "Segoe UI", system-ui, sans-serif; color: #323130; background: #faf9f8; }
  header { height: 40px; background: #0f6cbd; color: #fff; display: flex; align-items: center; gap: 16px; padding: 0 16px; }
  header b { font-weight: 600; font-size: 15px; }
  header input { flex: 0 1 420px; margin: 0 auto; height: 26px; border: 0; border-radius: 4px; padding: 0 10px;
    background: rgba(255,255,255,.92); font: inherit; }
  header .who { font-size: 12px; opacity: .9; }
  .crumbs { padding: 10px 24px 0; color: #0f6cbd; font-size: 12px; }
  main { display: flex; min-height: calc(100vh - 72px); }
  nav { width: 220px; padding: 12px 0; border-right: 1px solid #e1dfdd; background: #fff; }
  nav a { display: block; padding: 6px 20px; color: #323130; text-decoration: none; }
  nav a.on { background: #edebe9; border-left: 3px solid #0f6cbd; padding-left: 17px; font-weight: 600; }
  section { flex: 1; padding: 16px 28px; }
  h1 { font-size: 20px; font-weight: 600; margin: 0 0 2px; }
  .sub { color: #605e5c; margin-bottom: 16px; }
  .tabs { display: flex; gap: 24px; border-bottom: 1px solid #e1dfdd; margin-bottom: 18px; }
  .tabs span { padding: 6px 0; } .tabs .on { border-bottom: 2px solid #0f6cbd; font-weight: 600; }
  label { display: block; font-weight: 600; margin: 14px 0 4px; }
  .field { width: 420px; height: 30px; border: 1px solid #8a8886; border-radius: 2px; padding: 5px 8px; background: #fff; }
  table { border-collapse: collapse; width: 560px; margin-top: 6px; background: #fff; }
  td, th { text-align: left; padding: 7px 10px; border-bottom: 1px solid #edebe9; }
  .bar { margin-top: 26px; display: flex; gap: 8px; }
  button { font: inherit; height: 32px; padding: 0 16px; border-radius: 2px; border: 1px solid #8a8886; background: #fff; }
  button.primary { background: #0f6cbd; border-color: #0f6cbd; color: #fff; font-weight: 600; }
</style></head>
<body>
<header><b>Azure portal</b><span>(test fixture)</span><input placeholder="Search resources, services, and docs (G+/)">
  <span class="who">dave@example.com</span></header>
<div class="crumbs">Home › Subscriptions › Production › Access control (IAM)</div>
<main>
  <nav><a>Overview</a><a>Activity log</a><a class="on">Access control (IAM)</a><a>Tags</a><a>Resource groups</a>
    <a>Cost analysis</a><a>Policies</a><a>Deployments</a></nav>
  <section>
    <h1>Add role assignment</h1><div class="sub">Production · subscription ${subscription}</div>
    <div class="tabs"><span>Role</span><span>Members</span><span class="on">Review + assign</span></div>
    <label>Role</label><div class="field">Owner</div>
    <label>Scope</label><div class="field">/subscriptions/${subscription}</div>
    <label>Members</label>
    <table><tr><th>Name</th><th>Object ID</th><th>Type</th></tr>
      <tr><td>ci-deployer</td><td>p-1</td><td>Service principal</td></tr></table>
    <div class="bar"><button class="primary" id="assign">Review + assign</button><button>Previous</button></div>
  </section>
</main>
<script>
window.results = {};
document.getElementById('assign').addEventListener('click', () => {
  const url = '/subscriptions/${subscription}/providers/Microsoft.Authorization/roleAssignments/ra-portal?api-version=2022-04-01';
  window.results.assign = { state: 'pending' };
  fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ properties: { roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/owner', principalId: 'p-1' } }) })
    .then(async (r) => { window.results.assign = { state: 'done', status: r.status, body: await r.text(),
      outcome: r.headers.get('x-countersign-outcome') }; },
      (e) => { window.results.assign = { state: 'done', status: 0, body: String(e) }; });
});
</script>
</body></html>`;
