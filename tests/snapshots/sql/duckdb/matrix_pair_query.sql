WITH "t18" AS (
  SELECT
    "t10"."id" AS "cell_id",
    UNNEST(
      LIST_FILTER(
        CAST([
          CASE
            WHEN "t10"."cell_class_nonsynaptic" = 'ex'
            THEN 'ex'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN "t10"."cell_class_nonsynaptic" = 'in'
            THEN 'in'
            ELSE CAST(NULL AS TEXT)
          END
        ] AS TEXT[]),
        __ibis_param_name__ -> __ibis_param_name__ IS NOT NULL
      )
    ) AS "class_name"
  FROM (
    SELECT
      *
    FROM "cell" AS "t3"
  ) AS "t10"
)
SELECT
  "t24"."pre_class",
  "t25"."post_class",
  "t21"."id",
  "t21"."experiment_id",
  "t21"."pre_cell_id",
  "t21"."post_cell_id",
  "t21"."has_synapse",
  "t21"."has_polysynapse",
  "t21"."has_electrical",
  "t21"."crosstalk_artifact",
  "t21"."n_ex_test_spikes",
  "t21"."n_in_test_spikes",
  "t21"."distance",
  "t21"."lateral_distance",
  "t21"."vertical_distance",
  "t21"."reciprocal_id",
  "t21"."meta",
  "t21"."synapse_psp_amplitude"
FROM (
  SELECT
    "t17"."id",
    "t17"."experiment_id",
    "t17"."pre_cell_id",
    "t17"."post_cell_id",
    "t17"."has_synapse",
    "t17"."has_polysynapse",
    "t17"."has_electrical",
    "t17"."crosstalk_artifact",
    "t17"."n_ex_test_spikes",
    "t17"."n_in_test_spikes",
    "t17"."distance",
    "t17"."lateral_distance",
    "t17"."vertical_distance",
    "t17"."reciprocal_id",
    "t17"."meta",
    "t17"."synapse_psp_amplitude"
  FROM (
    SELECT
      "t5"."id",
      "t5"."experiment_id",
      "t5"."pre_cell_id",
      "t5"."post_cell_id",
      "t5"."has_synapse",
      "t5"."has_polysynapse",
      "t5"."has_electrical",
      "t5"."crosstalk_artifact",
      "t5"."n_ex_test_spikes",
      "t5"."n_in_test_spikes",
      "t5"."distance",
      "t5"."lateral_distance",
      "t5"."vertical_distance",
      "t5"."reciprocal_id",
      "t5"."meta",
      "t12"."experiment_ext_id",
      "t12"."experiment_slice_id",
      "t12"."experiment_project_name",
      "t12"."experiment_date",
      "t12"."experiment_target_region",
      "t12"."experiment_internal",
      "t12"."experiment_acsf",
      "t12"."experiment_target_temperature",
      "t12"."experiment_rig_name",
      "t12"."experiment_operator_name",
      "t12"."experiment_storage_path",
      "t12"."experiment_ephys_file",
      "t12"."experiment_acq_timestamp",
      "t12"."experiment_meta",
      "t13"."slice_id",
      "t13"."slice_ext_id",
      "t13"."slice_acq_timestamp",
      "t13"."slice_species",
      "t13"."slice_date_of_birth",
      "t13"."slice_age",
      "t13"."slice_sex",
      "t13"."slice_weight",
      "t13"."slice_genotype",
      "t13"."slice_orientation",
      "t13"."slice_surface",
      "t13"."slice_hemisphere",
      "t13"."slice_quality",
      "t13"."slice_slice_time",
      "t13"."slice_slice_conditions",
      "t13"."slice_lims_specimen_name",
      "t13"."slice_storage_path",
      "t13"."slice_meta",
      "t14"."pre_cell_experiment_id",
      "t14"."pre_cell_ext_id",
      "t14"."pre_cell_electrode_id",
      "t14"."pre_cell_cre_type",
      "t14"."pre_cell_target_layer",
      "t14"."pre_cell_position",
      "t14"."pre_cell_depth",
      "t14"."pre_cell_cell_class",
      "t14"."pre_cell_cell_class_nonsynaptic",
      "t14"."pre_cell_meta",
      "t15"."post_cell_experiment_id",
      "t15"."post_cell_ext_id",
      "t15"."post_cell_electrode_id",
      "t15"."post_cell_cre_type",
      "t15"."post_cell_target_layer",
      "t15"."post_cell_position",
      "t15"."post_cell_depth",
      "t15"."post_cell_cell_class",
      "t15"."post_cell_cell_class_nonsynaptic",
      "t15"."post_cell_meta",
      "t16"."synapse_id",
      "t16"."synapse_pair_id",
      "t16"."synapse_synapse_type",
      "t16"."synapse_latency",
      "t16"."synapse_psp_amplitude",
      "t16"."synapse_psp_rise_time",
      "t16"."synapse_psp_decay_tau",
      "t16"."synapse_psc_amplitude",
      "t16"."synapse_psc_rise_time",
      "t16"."synapse_psc_decay_tau",
      "t16"."synapse_meta"
    FROM "pair" AS "t5"
    INNER JOIN (
      SELECT
        "t1"."ext_id" AS "experiment_ext_id",
        "t1"."slice_id" AS "experiment_slice_id",
        "t1"."project_name" AS "experiment_project_name",
        "t1"."date" AS "experiment_date",
        "t1"."target_region" AS "experiment_target_region",
        "t1"."internal" AS "experiment_internal",
        "t1"."acsf" AS "experiment_acsf",
        "t1"."target_temperature" AS "experiment_target_temperature",
        "t1"."rig_name" AS "experiment_rig_name",
        "t1"."operator_name" AS "experiment_operator_name",
        "t1"."storage_path" AS "experiment_storage_path",
        "t1"."ephys_file" AS "experiment_ephys_file",
        "t1"."acq_timestamp" AS "experiment_acq_timestamp",
        "t1"."meta" AS "experiment_meta",
        "t1"."id" AS "__experiment_key"
      FROM "experiment" AS "t1"
    ) AS "t12"
      ON "t5"."experiment_id" = "t12"."__experiment_key"
    LEFT OUTER JOIN (
      SELECT
        "t2"."id" AS "slice_id",
        "t2"."ext_id" AS "slice_ext_id",
        "t2"."acq_timestamp" AS "slice_acq_timestamp",
        "t2"."species" AS "slice_species",
        "t2"."date_of_birth" AS "slice_date_of_birth",
        "t2"."age" AS "slice_age",
        "t2"."sex" AS "slice_sex",
        "t2"."weight" AS "slice_weight",
        "t2"."genotype" AS "slice_genotype",
        "t2"."orientation" AS "slice_orientation",
        "t2"."surface" AS "slice_surface",
        "t2"."hemisphere" AS "slice_hemisphere",
        "t2"."quality" AS "slice_quality",
        "t2"."slice_time" AS "slice_slice_time",
        "t2"."slice_conditions" AS "slice_slice_conditions",
        "t2"."lims_specimen_name" AS "slice_lims_specimen_name",
        "t2"."storage_path" AS "slice_storage_path",
        "t2"."meta" AS "slice_meta",
        "t2"."id" AS "__slice_key"
      FROM "slice" AS "t2"
    ) AS "t13"
      ON "t12"."experiment_slice_id" = "t13"."__slice_key"
    INNER JOIN (
      SELECT
        "t3"."experiment_id" AS "pre_cell_experiment_id",
        "t3"."ext_id" AS "pre_cell_ext_id",
        "t3"."electrode_id" AS "pre_cell_electrode_id",
        "t3"."cre_type" AS "pre_cell_cre_type",
        "t3"."target_layer" AS "pre_cell_target_layer",
        "t3"."position" AS "pre_cell_position",
        "t3"."depth" AS "pre_cell_depth",
        "t3"."cell_class" AS "pre_cell_cell_class",
        "t3"."cell_class_nonsynaptic" AS "pre_cell_cell_class_nonsynaptic",
        "t3"."meta" AS "pre_cell_meta",
        "t3"."id" AS "__pre_cell_key"
      FROM "cell" AS "t3"
    ) AS "t14"
      ON "t5"."pre_cell_id" = "t14"."__pre_cell_key"
    INNER JOIN (
      SELECT
        "t3"."experiment_id" AS "post_cell_experiment_id",
        "t3"."ext_id" AS "post_cell_ext_id",
        "t3"."electrode_id" AS "post_cell_electrode_id",
        "t3"."cre_type" AS "post_cell_cre_type",
        "t3"."target_layer" AS "post_cell_target_layer",
        "t3"."position" AS "post_cell_position",
        "t3"."depth" AS "post_cell_depth",
        "t3"."cell_class" AS "post_cell_cell_class",
        "t3"."cell_class_nonsynaptic" AS "post_cell_cell_class_nonsynaptic",
        "t3"."meta" AS "post_cell_meta",
        "t3"."id" AS "__post_cell_key"
      FROM "cell" AS "t3"
    ) AS "t15"
      ON "t5"."post_cell_id" = "t15"."__post_cell_key"
    LEFT OUTER JOIN (
      SELECT
        "t4"."id" AS "synapse_id",
        "t4"."pair_id" AS "synapse_pair_id",
        "t4"."synapse_type" AS "synapse_synapse_type",
        "t4"."latency" AS "synapse_latency",
        "t4"."psp_amplitude" AS "synapse_psp_amplitude",
        "t4"."psp_rise_time" AS "synapse_psp_rise_time",
        "t4"."psp_decay_tau" AS "synapse_psp_decay_tau",
        "t4"."psc_amplitude" AS "synapse_psc_amplitude",
        "t4"."psc_rise_time" AS "synapse_psc_rise_time",
        "t4"."psc_decay_tau" AS "synapse_psc_decay_tau",
        "t4"."meta" AS "synapse_meta",
        "t4"."pair_id" AS "__synapse_key"
      FROM "synapse" AS "t4"
    ) AS "t16"
      ON "t5"."id" = "t16"."__synapse_key"
  ) AS "t17"
  WHERE
    "t17"."slice_species" = 'mouse'
) AS "t21"
INNER JOIN (
  SELECT
    "t19"."cell_id" AS "__pre_member",
    "t19"."class_name" AS "pre_class"
  FROM "t18" AS "t19"
) AS "t24"
  ON "t21"."pre_cell_id" = "t24"."__pre_member"
INNER JOIN (
  SELECT
    "t19"."cell_id" AS "__post_member",
    "t19"."class_name" AS "post_class"
  FROM "t18" AS "t19"
) AS "t25"
  ON "t21"."post_cell_id" = "t25"."__post_member"
