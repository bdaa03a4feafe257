"""From a pipeline spec to a trained pipeline: specs (:mod:`.spec`), named encoders (:mod:`.encoders`),
the spec -> spaCy config composer (:mod:`.compose`), ``plait train`` (:mod:`.trainer`), and the
spaCy-registered pieces a composed config names: the shared transformer's architecture
(:mod:`.architectures`), training callbacks (:mod:`.callbacks`), two-stage fine-tuning
(:mod:`.finetune`) and class-balanced loss weights (:mod:`.balance`)."""
