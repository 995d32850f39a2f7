# Compiles the schema's migration files into the binary, so nothing is read from disk at
# run time. For each dialect (store/schema/sqlite/, store/schema/postgres/) it reads the
# files NNNN_<name>.sql in version order and writes one .cpp holding their texts behind
# store/schema/schema.h. An edited, added or removed file re-runs the configure step.

# Appends to `entries_var` one C++ initializer per file of `dir`, in version order.
function(_tandem_schema_entries dir entries_var)
  # CONFIGURE_DEPENDS re-globs at each build: an added or removed file re-runs configure.
  file(GLOB files CONFIGURE_DEPENDS ${dir}/*)
  list(SORT files)
  if(NOT files)
    message(FATAL_ERROR "${dir}: no migration files")
  endif()
  # An edited file re-runs configure.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${files})
  set(entries "")
  foreach(file IN LISTS files)
    get_filename_component(file_name ${file} NAME)
    if(NOT file_name MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
      message(FATAL_ERROR "${file}: a migration is named NNNN_<lowercase_name>.sql")
    endif()
    set(name ${CMAKE_MATCH_2})
    string(REGEX REPLACE "^0+" "" version ${CMAKE_MATCH_1})
    if(version STREQUAL "")
      message(FATAL_ERROR "${file}: versions start at 0001")
    endif()
    file(READ ${file} sql)
    if(NOT sql MATCHES "^-- ([^\n]+)\n")
      message(FATAL_ERROR "${file}: the first line is `-- <description>`")
    endif()
    set(description ${CMAKE_MATCH_1})
    string(FIND "${sql}" ")schema\"" delimiter)
    if(NOT delimiter EQUAL -1)
      message(FATAL_ERROR "${file}: contains the raw string delimiter )schema\"")
    endif()
    string(APPEND entries
           "    {${version}, \"${name}\", R\"schema(${description})schema\",\n"
           "     R\"schema(${sql})schema\"},\n")
  endforeach()
  set(${entries_var} "${entries}" PARENT_SCOPE)
endfunction()

# Sets `out_var` to the generated .cpp, to add to the library's sources.
function(tandem_embed_schema out_var)
  set(schema_dir ${CMAKE_CURRENT_SOURCE_DIR}/store/schema)
  _tandem_schema_entries(${schema_dir}/sqlite sqlite_entries)
  _tandem_schema_entries(${schema_dir}/postgres postgres_entries)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/schema_files.cpp)
  # Written beside and copied only when it changed, so a re-run rebuilds nothing needlessly.
  file(WRITE ${out}.new
       "// Generated at configure time by store/schema/embed_schema.cmake from the files in\n"
       "// store/schema/sqlite/ and store/schema/postgres/. Edit those, not this.\n"
       "#include \"store/schema/schema.h\"\n\n"
       "namespace tandem::schema {\nnamespace {\n\n"
       "constexpr Migration kSqlite[] = {\n${sqlite_entries}};\n\n"
       "constexpr Migration kPostgres[] = {\n${postgres_entries}};\n\n"
       "}  // namespace\n\n"
       "std::span<const Migration> SqliteMigrations() { return kSqlite; }\n"
       "std::span<const Migration> PostgresMigrations() { return kPostgres; }\n\n"
       "}  // namespace tandem::schema\n")
  file(COPY_FILE ${out}.new ${out} ONLY_IF_DIFFERENT)
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
