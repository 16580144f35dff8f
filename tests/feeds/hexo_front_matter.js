// Read post texts with Hexo's own front matter parser (hexo-front-matter, js-yaml under it).
// Usage: node hexo_front_matter.js SITE_DIR POSTS.json  -> prints [{name, data} | {name, error}] as JSON;
// dates come out as ISO 8601 strings in UTC, as Hexo holds them (Date objects).
'use strict';

const fs = require('fs');
const path = require('path');

const [siteDir, postsFile] = process.argv.slice(2);
const yfm = require(path.join(path.resolve(siteDir), 'node_modules', 'hexo-front-matter'));
const posts = JSON.parse(fs.readFileSync(postsFile, 'utf8'));
const results = posts.map((post) => {
  try {
    const data = yfm.parse(post.text);
    const out = {};
    for (const [key, value] of Object.entries(data)) {
      out[key] = value instanceof Date ? { date: value.toISOString() } : value;
    }
    return { name: post.name, data: out };
  } catch (error) {
    return { name: post.name, error: String(error && error.message ? error.message : error) };
  }
});
process.stdout.write(JSON.stringify(results));
