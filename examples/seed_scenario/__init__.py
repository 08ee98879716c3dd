"""The seed scenario end to end: why Keras ``class_weight`` fails on multi-label data, and what fixes it.

Run it from the repository root::

    python examples/seed_scenario/run.py            # the story in three runs, ~2-3 minutes on a 2-core CPU
    python examples/seed_scenario/run.py --all      # every loss, with and without fine-tuning (benchmarks)
    python examples/seed_scenario/run.py --full     # the seed's sizes (longer sequences, more epochs)
    python examples/seed_scenario/run.py --data my_sequences.npz   # x (n, T, features), y (n, q) 0/1

A user trained a 23-label sigmoid model on 6,790 variable-length sequences of 128 features, with
label counts from 4,702 down to 4 and eight labels with none: an LSTM base transferred from a
binary model, a small dense head, and Keras ``class_weight``. This example rebuilds it, one
concern per module:

* :mod:`seed_scenario.data`: the data (:func:`~seed_scenario.data.make_sequences`: labels with
  exactly the seed's counts, a learnable signal per label; or your own ``.npz``, checked before
  anything trains), the stratified 60 / 20 / 20 split, the binary pre-training task.
* :mod:`seed_scenario.models`: the seed's models (binary base: LSTM(192) -> Dense 160 -> 128 ->
  128 -> 64 -> 1; head: 4 x [Dense 64 + Dropout 0.2] -> Dense 32 -> Dense 23) and the losses.
* :mod:`seed_scenario.stages`: stage 1 (the binary base), stage 2 (the seed's head on the frozen
  base, one per loss), stage 3 (fine-tuning from the LSTM state on oversampled rows, then
  classifier re-training with :func:`mlbalance.retrain_classifier`).
* :mod:`seed_scenario.evaluation`: thresholds tuned per label (:func:`mlbalance.tune_thresholds`),
  test reports, the comparison table.
* :mod:`seed_scenario.output`: the output directory (checked before training), the reports, and
  the saved model (``best_model.keras`` plus ``best_thresholds.json``), all written atomically.
* ``run.py``: the command line and :func:`~seed_scenario.run.run_demo`.

The default run shows the story: the seed's ``class_weight``, plain BCE, and mlbalance's recipe
(asymmetric loss + fine-tuning from the LSTM state + classifier re-training, thresholds tuned at
``placement="low"``), which ``benchmarks/bench_demo_seeds.py`` found best over every loss and
setting (``--all`` runs that comparison). The recipe's model is saved and reloads with plain
``keras.saving.load_model``.
"""
