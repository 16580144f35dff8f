// Render Markdown post bodies through Hexo's own post renderer (Nunjucks tags, then marked).
// Usage: node render.js SITE_DIR POSTS.json  -> prints [{name, html} | {name, error}] as JSON.
// SITE_DIR holds node_modules with hexo and hexo-renderer-marked (tests/hexo/package.json).
'use strict';

const fs = require('fs');
const path = require('path');

async function main() {
  const [siteDir, postsFile] = process.argv.slice(2);
  const Hexo = require(path.join(path.resolve(siteDir), 'node_modules', 'hexo'));
  const hexo = new Hexo(path.resolve(siteDir), { silent: true, safe: false });
  hexo.env.init = true; // what hexo-cli sets inside a site: load the plugins of its package.json
  await hexo.init();
  const posts = JSON.parse(fs.readFileSync(postsFile, 'utf8'));
  const results = [];
  for (const post of posts) {
    try {
      const data = await hexo.post.render(null, { content: post.body, engine: 'markdown' });
      results.push({ name: post.name, html: data.content });
    } catch (error) {
      results.push({ name: post.name, error: String(error && error.message ? error.message : error) });
    }
  }
  process.stdout.write(JSON.stringify(results));
  await hexo.exit();
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + '\n');
  process.exit(2);
});
