// Runs history.html's own script against its own rows, in Node, with the little of a DOM it uses: the filter
// form, the rows' data attributes, location.search and history.replaceState. Prints which cells a view shows and
// the address the page wrote. Usage: node history_view.js history.html [?query] [field=value to type]
const fs = require('fs');
const [page, query = '', typed = ''] = process.argv.slice(2);
const html = fs.readFileSync(page, 'utf8');
const script = html.match(/<script>([\s\S]*?)<\/script>/)[1];
const rows = [...html.matchAll(/<tr class="cell" ([^>]*)><td class="id">([^<]*)/g)].map(match => {
  const dataset = {};
  for (const attribute of match[1].matchAll(/data-(\w+)="([^"]*)"/g)) dataset[attribute[1]] = attribute[2];
  return { id: match[2], dataset, hidden: /\bhidden$/.test(match[1].trim()) };
});
const field = name => ({ name, value: name === 'show' ? 'changed' : '' });
const fields = { library: field('library'), scenario: field('scenario'), mode: field('mode'), show: field('show') };
const form = { elements: Object.values(fields), ...fields, addEventListener(type, handler) { this.handler = handler; } };
const shown = { textContent: '' };
let address = null;
global.document = { getElementById: id => (id === 'filters' ? form : shown), querySelectorAll: () => rows };
global.location = { search: query, pathname: '/history.html' };
global.history = { replaceState: (state, title, url) => { address = url; global.location.search = url.includes('?') ? url.slice(url.indexOf('?')) : ''; } };
eval(script);
if (typed) {
  const [name, value] = typed.split('=');
  fields[name].value = value;
  form.handler();
}
console.log(JSON.stringify({ visible: rows.filter(row => !row.hidden).map(row => row.id), address, shown: shown.textContent }));
