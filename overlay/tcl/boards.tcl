# The board table overlay/boards.csv, read here and by the host runtime (host/sharp/boards.py),
# so a bitstream and the host agree on every board's build parameters.
namespace eval sharp {}

proc sharp::read_boards {csv_path} {
    set fh [open $csv_path r]
    set lines [split [string trim [read $fh]] "\n"]
    close $fh
    set header [split [string trim [lindex $lines 0]] ,]
    set table [dict create]
    foreach line [lrange $lines 1 end] {
        set line [string trim $line]
        if {$line eq ""} { continue }
        set fields [split $line ,]
        if {[llength $fields] != [llength $header]} {
            error "$csv_path: row '$line' has [llength $fields] fields, the header has [llength $header]"
        }
        set row [dict create]
        foreach key $header value $fields { dict set row $key $value }
        dict set table [dict get $row board] $row
    }
    return $table
}

proc sharp::board_row {table board} {
    if {![dict exists $table $board]} {
        error "unknown board '$board'; valid boards: [join [lsort [dict keys $table]] {, }]"
    }
    return [dict get $table $board]
}

# The weight_uram_tiles column, checked: the tiles whose weights are UltraRAM, 0..tiles.
proc sharp::weight_uram_tiles {row} {
    set value [dict get $row weight_uram_tiles]
    set tiles [dict get $row tiles]
    if {![string is digit -strict $value] || $value > $tiles} {
        error "boards.csv: board [dict get $row board] has weight_uram_tiles '$value'; valid: 0..$tiles (its tiles)"
    }
    return $value
}

proc sharp::check_impl {impl} {
    set valid {hls rtl}
    if {$impl ni $valid} {
        error "unknown implementation '$impl'; valid implementations: [join $valid {, }]"
    }
}
