#!/bin/sh
# Submits the shards as a job array, then the merge, which starts only
# once every shard has succeeded. Prints the merge job's id.
set -e
mkdir -p shards
array=$(sbatch --parsable shard.sbatch)
sbatch --parsable --dependency="afterok:${array}" --job-name=runway-merge \
  --output=merge.out --wrap "runway merge shards/ --out results/ --quiet"
