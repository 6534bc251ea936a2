// Filters the country table in place by region and latest placement. Optional: without
// JavaScript the page offers the same filters as plain links to sections. Nothing is fetched.
(function () {
  var table = document.getElementById("country-table");
  var form = document.getElementById("country-filter");
  if (!table || !form) { return; }
  form.hidden = false;
  var region = form.querySelector("[name=region]");
  var latest = form.querySelector("[name=latest]");
  var count = document.getElementById("country-count");
  function apply() {
    var shown = 0;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var visible = (!region.value || row.dataset.region === region.value) &&
                    (!latest.value || row.dataset.latest === latest.value);
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    count.textContent = shown + " shown";
  }
  region.addEventListener("change", apply);
  latest.addEventListener("change", apply);
  apply();
})();
