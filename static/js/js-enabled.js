// GOV.UK Frontend's "JavaScript is on" classes, set before the page paints.
// A file, not an inline script, so no page needs a CSP nonce and public pages
// can be kept in the page cache whole.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
