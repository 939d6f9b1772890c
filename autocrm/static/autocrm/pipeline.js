// The pipeline page: drag a card to another column; htmx posts the stage change and swaps
// the card with the server's answer. A card the server refused comes back with its old
// stage (and the refusal written on it) and snaps back into its old column; a moved card
// makes the server trigger "pipeline-changed", which reloads the board's totals.
(function () {
  "use strict";
  var dragged = null;

  function columnOf(stage) {
    return document.querySelector('.pipeline-drop[data-stage="' + stage + '"]');
  }

  function place(card) {
    var column = columnOf(card.dataset.stage);
    if (column && card.parentNode !== column) {
      var more = column.querySelector("[data-testid=pipeline-more]");
      column.insertBefore(card, more);
    }
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".pipeline-card[draggable=true]");
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.id);
    card.classList.add("opacity-50");
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("opacity-50");
    dragged = null;
  });

  document.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest(".pipeline-drop");
    if (column && dragged) event.preventDefault();
  });

  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".pipeline-drop");
    if (!column || !dragged) return;
    event.preventDefault();
    var card = dragged;
    if (column.dataset.stage === card.dataset.stage) return;
    var values = { stage: column.dataset.stage, version: card.dataset.version, card: "1" };
    column.insertBefore(card, column.querySelector("[data-testid=pipeline-more]"));
    var headers = {};
    try {
      headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (error) {
      headers = {};
    }
    window.htmx.ajax("POST", card.dataset.url, {
      source: card, target: card, swap: "outerHTML", values: values, headers: headers
    })
      .catch(function () { window.location.reload(); });
  });

  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll(".pipeline-card").forEach(function (card) {
      if (card.parentNode && card.parentNode.classList.contains("pipeline-drop")) place(card);
    });
  });
})();
