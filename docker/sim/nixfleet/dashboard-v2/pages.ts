/** The two HTML pages of v2.0: login (password + TOTP) and the dashboard shell. */
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export function loginPage(error: string | null): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>NixFleet Login</title></head>
<body class="login">
<main>
<h1>⚡ NixFleet</h1>
<p class="subtitle">Fleet Management Dashboard</p>
${error ? `<div class="error">${esc(error)}</div>` : ''}
<form method="POST" action="/login">
  <label for="password">Password</label>
  <input type="password" id="password" name="password" required autofocus>
  <label for="totp">TOTP Code (if enabled)</label>
  <input type="text" id="totp" name="totp" inputmode="numeric" pattern="[0-9]*" maxlength="6" autocomplete="one-time-code">
  <button type="submit">Login</button>
</form>
</main>
</body></html>
`
}

export function dashboardPage(csrf: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>NixFleet Dashboard</title></head>
<body data-csrf-token="${esc(csrf)}">
<header><h1>⚡ NixFleet</h1>
<form method="POST" action="/logout"><input type="hidden" name="csrf_token" value="${esc(csrf)}"><button type="submit">Logout</button></form>
</header>
<table id="hosts"><thead><tr><th>Host</th><th>Status</th><th>Generation</th><th>Last seen</th></tr></thead><tbody></tbody></table>
</body></html>
`
}
