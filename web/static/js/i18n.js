/* The page's words and number format for the other scripts. The words come from the page
 * itself (a JSON block the server renders from the translation catalog, so there is one
 * catalog for the whole app); numbers are formatted for the page's locale by Intl.
 */
(function () {
  "use strict";

  var block = document.getElementById("page-strings");
  var data = JSON.parse(block.textContent);
  var plurals = new Intl.PluralRules(data.locale);

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function words(key) {
    var entry = data.strings[key];
    if (entry === undefined) throw new Error("no page string named " + key);
    return entry;
  }

  /* A message with its {placeholders} filled. */
  function t(key, values) {
    return fill(words(key), values);
  }

  /* A plural message for count ({count} is filled, in the locale's digits). */
  function n(key, count, values) {
    var forms = words(key);
    var text = forms[plurals.select(count)] || forms.other;
    return fill(text, Object.assign({ count: number(count) }, values));
  }

  function number(value, options) {
    return new Intl.NumberFormat(data.locale, options).format(value);
  }

  window.LocatorI18n = { locale: data.locale, t: t, n: n, number: number };
})();
