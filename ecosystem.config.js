// pm2 start ecosystem.config.js        (after `npm ci && npm run build`)
//
// Settings and secrets (DEEPSEEK_TOKENS, API_KEYS, PORT, HOST, ...) go in a .env file next to
// this one. Node reads it at every (re)start, so it never lands in pm2's saved process list;
// run `pm2 reload deepseek-gateway` after editing it. A .env created after the first start is
// only seen after `pm2 delete deepseek-gateway && pm2 start ecosystem.config.js`.
const fs = require('node:fs');
const path = require('node:path');

const envFile = path.join(__dirname, '.env');

module.exports = {
  apps: [
    {
      name: 'deepseek-gateway',
      cwd: __dirname,
      script: 'dist/main.js',
      node_args: fs.existsSync(envFile) ? [`--env-file=${envFile}`] : [],
      // One process only: account locks live in memory, so a second process (cluster mode or
      // instances > 1) could use the same account at the same time. See docs/deploy.md.
      exec_mode: 'fork',
      instances: 1,
      // pm2 stops with SIGINT and kills after kill_timeout (default 1.6 s); the server first
      // drains open streams for up to SHUTDOWN_GRACE_MS (10 s).
      kill_timeout: 15000,
      env: {
        NODE_ENV: 'production',
      },
    },
  ],
};
