// Live progress for every .progress-box on the page: polls its JobRun until it finishes.
(function () {
  function render(box, data) {
    box.querySelector(".bar").style.width = data.progress + "%";
    var text = data.status + " · " + Math.round(data.progress) + "%" + (data.message ? " · " + data.message : "");
    box.querySelector(".progress-text").textContent = text;
    if (data.error && !box.querySelector(".error")) {
      var pre = document.createElement("pre");
      pre.className = "error";
      pre.textContent = data.error;
      box.appendChild(pre);
    }
  }
  function poll(box) {
    fetch(box.dataset.progressUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        render(box, data);
        if (data.finished) {
          if (box.dataset.reloadOnFinish !== undefined) { window.location.reload(); }
        } else {
          setTimeout(function () { poll(box); }, 1500);
        }
      })
      .catch(function () { setTimeout(function () { poll(box); }, 5000); });
  }
  document.querySelectorAll(".progress-box").forEach(function (box) {
    if (box.dataset.status === "pending" || box.dataset.status === "running") { poll(box); }
  });
})();
