// Read post files the way Hexo 7's post processor does, and print what the site shows.
// Usage: node read.js SITE_DIR FILES.json  -> prints [{file, error} | {file, front_matter, title, tags,
// categories, dates: {TIMEZONE: {date, updated}}}] as JSON. FILES.json is {files: [...], timezones: [...]}
// (a timezone of "" means none is set). Run it with TZ=UTC, as on a CI machine.
// Uses Hexo's own code: hexo-fs readFileSync (BOM and CRLF handling), hexo-front-matter parse, and
// toDate/timezone from hexo/dist/plugins/processor/common.js; the tag and category handling mirrors
// processPost and Post.setTags/setCategories in hexo/dist.
'use strict';

const fs = require('fs');
const path = require('path');

function main() {
  const [siteDir, listFile] = process.argv.slice(2);
  const modules = path.join(path.resolve(siteDir), 'node_modules');
  const { parse } = require(path.join(modules, 'hexo-front-matter'));
  const hexoFs = require(path.join(modules, 'hexo-fs'));
  const { toDate, timezone } = require(path.join(modules, 'hexo', 'dist', 'plugins', 'processor', 'common'));
  const { files, timezones } = JSON.parse(fs.readFileSync(listFile, 'utf8'));
  const shownString = (value) => (value == null ? null : (typeof value.toString === 'function' ? value.toString() : String(value)));
  const removeEmpty = (items) => items.filter((item) => item != null && item !== '').map((item) => `${item}`);
  const iso = (value) => (value instanceof Date && !isNaN(value.getTime()) ? value.toISOString() : null);
  const results = [];
  for (const file of files) {
    let data;
    try {
      data = parse(hexoFs.readFileSync(file));
    } catch (error) {
      results.push({ file, error: String(error && error.message ? error.message : error) });
      continue;
    }
    const keys = Object.keys(data).filter((key) => key !== '_content');
    if (data.category && !data.categories) data.categories = data.category;
    if (data.tag && !data.tags) data.tags = data.tag;
    let categories = data.categories || [];
    let tags = data.tags || [];
    if (!Array.isArray(categories)) categories = [categories];
    if (!Array.isArray(tags)) tags = [tags];
    categories = categories.filter((cat) => Array.isArray(cat) || (cat != null && cat !== ''))
      .map((cat) => (Array.isArray(cat) ? removeEmpty(cat) : `${cat}`));
    // Post.setCategories: any list inside makes each item a hierarchy; otherwise the list is one.
    const hierarchies = categories.some(Array.isArray)
      ? categories.map((cat) => (Array.isArray(cat) ? cat : [cat]))
      : (categories.length ? [categories] : []);
    const dates = {};
    for (const zone of timezones) {
      const shown = {};
      for (const key of ['date', 'updated']) {
        let value = data[key];
        if (key === 'date' ? value : true) value = toDate(value);
        if (value && zone) value = timezone(value, zone);
        shown[key] = value ? iso(value) : null;
      }
      dates[zone] = shown;
    }
    results.push({
      file,
      front_matter: keys.length > 0,
      title: shownString(data.title),
      tags: removeEmpty(tags),
      categories: hierarchies,
      dates,
    });
  }
  process.stdout.write(JSON.stringify(results));
}

main();
