// The one place that names the view library's URL and version: every module imports Preact + htm from here.
export * from '/vendor/htm/preact/standalone.module.js?v=3.1.1';
